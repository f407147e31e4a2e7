-- Add column "retired_at" to table: "devices"
ALTER TABLE `devices` ADD COLUMN `retired_at` datetime NULL;
-- Create "bulk_operations" table
CREATE TABLE `bulk_operations` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `created_by` uuid NOT NULL, `action` text NOT NULL, `state` text NOT NULL DEFAULT ('queued'), `device_ids` json NOT NULL, `organisation_id` uuid NULL, `group_id` uuid NULL, `add_tags` json NOT NULL, `remove_tags` json NOT NULL, `total` integer NOT NULL DEFAULT (0), `processed` integer NOT NULL DEFAULT (0), `failed` integer NOT NULL DEFAULT (0), `errors` json NOT NULL, `finished_at` datetime NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `bulk_operations_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "bulkoperation_tenant_id_created_at" to table: "bulk_operations"
CREATE INDEX `bulkoperation_tenant_id_created_at` ON `bulk_operations` (`tenant_id`, `created_at`);
