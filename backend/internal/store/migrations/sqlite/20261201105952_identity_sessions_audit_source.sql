-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_audit_events" table
CREATE TABLE `new_audit_events` (`id` uuid NOT NULL, `action` text NOT NULL, `target_kind` text NOT NULL, `target_id` uuid NOT NULL, `target_name` text NOT NULL DEFAULT (''), `organisation_id` uuid NULL, `actor_id` uuid NULL, `actor` text NOT NULL DEFAULT (''), `detail` text NOT NULL DEFAULT (''), `source_address` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `audit_events_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "audit_events" to new temporary table "new_audit_events"
INSERT INTO `new_audit_events` (`id`, `action`, `target_kind`, `target_id`, `target_name`, `organisation_id`, `actor_id`, `actor`, `detail`, `created_at`, `tenant_id`) SELECT `id`, `action`, `target_kind`, `target_id`, `target_name`, `organisation_id`, `actor_id`, `actor`, `detail`, `created_at`, `tenant_id` FROM `audit_events`;
-- Drop "audit_events" table after copying rows
DROP TABLE `audit_events`;
-- Rename temporary table "new_audit_events" to "audit_events"
ALTER TABLE `new_audit_events` RENAME TO `audit_events`;
-- Create index "auditevent_tenant_id_created_at" to table: "audit_events"
CREATE INDEX `auditevent_tenant_id_created_at` ON `audit_events` (`tenant_id`, `created_at`);
-- Create index "auditevent_tenant_id_action_created_at" to table: "audit_events"
CREATE INDEX `auditevent_tenant_id_action_created_at` ON `audit_events` (`tenant_id`, `action`, `created_at`);
-- Create "sessions" table
CREATE TABLE `sessions` (`id` uuid NOT NULL, `user_id` uuid NOT NULL, `method` text NOT NULL, `created_at` datetime NOT NULL, `authenticated_at` datetime NOT NULL, `last_used_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `address` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `revoked_at` datetime NULL, `factor_setup_pending` bool NOT NULL DEFAULT (false), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sessions_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "session_tenant_id_user_id" to table: "sessions"
CREATE INDEX `session_tenant_id_user_id` ON `sessions` (`tenant_id`, `user_id`);
-- Create index "session_user_id" to table: "sessions"
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
