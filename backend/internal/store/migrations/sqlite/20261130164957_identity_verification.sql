-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_memberships" table
CREATE TABLE `new_memberships` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `role` text NOT NULL, `organisation_ids` json NOT NULL, `disabled_at` datetime NULL, `invitation_token_hash` text NULL, `invitation_expires_at` datetime NULL, `accepted_at` datetime NULL, `invited_by` uuid NULL, `display_name` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `memberships_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION, CONSTRAINT `memberships_users_memberships` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "memberships" to new temporary table "new_memberships"
INSERT INTO `new_memberships` (`id`, `created_at`, `updated_at`, `role`, `organisation_ids`, `disabled_at`, `invitation_token_hash`, `invitation_expires_at`, `accepted_at`, `invited_by`, `tenant_id`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `role`, `organisation_ids`, `disabled_at`, `invitation_token_hash`, `invitation_expires_at`, `accepted_at`, `invited_by`, `tenant_id`, `user_id` FROM `memberships`;
-- Drop "memberships" table after copying rows
DROP TABLE `memberships`;
-- Rename temporary table "new_memberships" to "memberships"
ALTER TABLE `new_memberships` RENAME TO `memberships`;
-- Create index "memberships_invitation_token_hash_key" to table: "memberships"
CREATE UNIQUE INDEX `memberships_invitation_token_hash_key` ON `memberships` (`invitation_token_hash`);
-- Create index "membership_tenant_id_user_id" to table: "memberships"
CREATE UNIQUE INDEX `membership_tenant_id_user_id` ON `memberships` (`tenant_id`, `user_id`);
-- Create index "membership_user_id" to table: "memberships"
CREATE INDEX `membership_user_id` ON `memberships` (`user_id`);
-- Create "new_users" table
CREATE TABLE `new_users` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `display_name` text NOT NULL DEFAULT (''), `password_hash` text NOT NULL DEFAULT (''), `email_verified_at` datetime NULL, `verify_token_hash` text NULL, `verify_expires_at` datetime NULL, `reset_token_hash` text NULL, `reset_expires_at` datetime NULL, PRIMARY KEY (`id`));
-- Copy rows from old table "users" to new temporary table "new_users"
INSERT INTO `new_users` (`id`, `created_at`, `updated_at`, `email`, `display_name`, `password_hash`) SELECT `id`, `created_at`, `updated_at`, `email`, `display_name`, `password_hash` FROM `users`;
-- Drop "users" table after copying rows
DROP TABLE `users`;
-- Rename temporary table "new_users" to "users"
ALTER TABLE `new_users` RENAME TO `users`;
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- Create index "users_verify_token_hash_key" to table: "users"
CREATE UNIQUE INDEX `users_verify_token_hash_key` ON `users` (`verify_token_hash`);
-- Create index "users_reset_token_hash_key" to table: "users"
CREATE UNIQUE INDEX `users_reset_token_hash_key` ON `users` (`reset_token_hash`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
