-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_tenants" table
CREATE TABLE `new_tenants` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `retention_snapshot_days` integer NOT NULL DEFAULT (90), `retention_history_days` integer NOT NULL DEFAULT (400), `retention_notification_days` integer NOT NULL DEFAULT (90), `retention_delivery_days` integer NOT NULL DEFAULT (30), `retention_audit_days` integer NOT NULL DEFAULT (365), `require_second_factor` bool NOT NULL DEFAULT (false), PRIMARY KEY (`id`));
-- Copy rows from old table "tenants" to new temporary table "new_tenants"
INSERT INTO `new_tenants` (`id`, `created_at`, `updated_at`, `name`, `retention_snapshot_days`, `retention_history_days`, `retention_notification_days`, `retention_delivery_days`, `retention_audit_days`) SELECT `id`, `created_at`, `updated_at`, `name`, `retention_snapshot_days`, `retention_history_days`, `retention_notification_days`, `retention_delivery_days`, `retention_audit_days` FROM `tenants`;
-- Drop "tenants" table after copying rows
DROP TABLE `tenants`;
-- Rename temporary table "new_tenants" to "tenants"
ALTER TABLE `new_tenants` RENAME TO `tenants`;
-- Create "passkeys" table
CREATE TABLE `passkeys` (`id` uuid NOT NULL, `user_id` uuid NOT NULL, `credential_id` blob NOT NULL, `public_key` blob NOT NULL, `sign_count` integer NOT NULL DEFAULT (0), `aaguid` blob NULL, `transports` json NULL, `attestation_type` text NOT NULL DEFAULT (''), `backup_eligible` bool NOT NULL DEFAULT (false), `backup_state` bool NOT NULL DEFAULT (false), `user_verified` bool NOT NULL DEFAULT (false), `name` text NOT NULL, `created_at` datetime NOT NULL, `last_used_at` datetime NULL, PRIMARY KEY (`id`));
-- Create index "passkeys_credential_id_key" to table: "passkeys"
CREATE UNIQUE INDEX `passkeys_credential_id_key` ON `passkeys` (`credential_id`);
-- Create index "passkey_user_id" to table: "passkeys"
CREATE INDEX `passkey_user_id` ON `passkeys` (`user_id`);
-- Create "recovery_codes" table
CREATE TABLE `recovery_codes` (`id` uuid NOT NULL, `user_id` uuid NOT NULL, `code_hash` text NOT NULL, `created_at` datetime NOT NULL, `used_at` datetime NULL, PRIMARY KEY (`id`));
-- Create index "recoverycode_user_id_code_hash" to table: "recovery_codes"
CREATE INDEX `recoverycode_user_id_code_hash` ON `recovery_codes` (`user_id`, `code_hash`);
-- Create "sign_in_attempts" table
CREATE TABLE `sign_in_attempts` (`id` uuid NOT NULL, `user_id` uuid NOT NULL, `token_hash` text NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `failures` integer NOT NULL DEFAULT (0), `used_at` datetime NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sign_in_attempts_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "sign_in_attempts_token_hash_key" to table: "sign_in_attempts"
CREATE UNIQUE INDEX `sign_in_attempts_token_hash_key` ON `sign_in_attempts` (`token_hash`);
-- Create "totp_secrets" table
CREATE TABLE `totp_secrets` (`id` uuid NOT NULL, `user_id` uuid NOT NULL, `secret_sealed` blob NOT NULL, `created_at` datetime NOT NULL, `confirmed_at` datetime NULL, `last_used_step` integer NOT NULL DEFAULT (0), PRIMARY KEY (`id`));
-- Create index "totpsecret_user_id" to table: "totp_secrets"
CREATE INDEX `totpsecret_user_id` ON `totp_secrets` (`user_id`);
-- Create "web_authn_challenges" table
CREATE TABLE `web_authn_challenges` (`id` uuid NOT NULL, `purpose` text NOT NULL, `user_id` uuid NULL, `session_id` uuid NULL, `attempt_id` uuid NULL, `session_data` blob NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `used_at` datetime NULL, PRIMARY KEY (`id`));
-- Create index "webauthnchallenge_expires_at" to table: "web_authn_challenges"
CREATE INDEX `webauthnchallenge_expires_at` ON `web_authn_challenges` (`expires_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
