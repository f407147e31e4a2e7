-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_tenants" table
CREATE TABLE `new_tenants` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `retention_snapshot_days` integer NOT NULL DEFAULT (90), `retention_history_days` integer NOT NULL DEFAULT (400), `retention_notification_days` integer NOT NULL DEFAULT (90), `retention_delivery_days` integer NOT NULL DEFAULT (30), `retention_audit_days` integer NOT NULL DEFAULT (365), PRIMARY KEY (`id`));
-- Copy rows from old table "tenants" to new temporary table "new_tenants"
INSERT INTO `new_tenants` (`id`, `created_at`, `updated_at`, `name`) SELECT `id`, `created_at`, `updated_at`, `name` FROM `tenants`;
-- Drop "tenants" table after copying rows
DROP TABLE `tenants`;
-- Rename temporary table "new_tenants" to "tenants"
ALTER TABLE `new_tenants` RENAME TO `tenants`;
-- Create "audit_events" table
CREATE TABLE `audit_events` (`id` uuid NOT NULL, `action` text NOT NULL, `target_kind` text NOT NULL, `target_id` uuid NOT NULL, `target_name` text NOT NULL DEFAULT (''), `organisation_id` uuid NULL, `actor_id` uuid NULL, `actor` text NOT NULL DEFAULT (''), `detail` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `audit_events_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "auditevent_tenant_id_created_at" to table: "audit_events"
CREATE INDEX `auditevent_tenant_id_created_at` ON `audit_events` (`tenant_id`, `created_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
