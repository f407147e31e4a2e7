-- Create "api_keys" table
CREATE TABLE `api_keys` (`id` uuid NOT NULL, `name` text NOT NULL, `prefix` text NOT NULL, `secret_hash` text NOT NULL, `role` text NOT NULL, `organisation_ids` json NOT NULL, `created_by` uuid NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NULL, `last_used_at` datetime NULL, `last_used_address` text NOT NULL DEFAULT (''), `revoked_at` datetime NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_keys_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "api_keys_secret_hash_key" to table: "api_keys"
CREATE UNIQUE INDEX `api_keys_secret_hash_key` ON `api_keys` (`secret_hash`);
-- Create index "apikey_tenant_id_created_at" to table: "api_keys"
CREATE INDEX `apikey_tenant_id_created_at` ON `api_keys` (`tenant_id`, `created_at`);
