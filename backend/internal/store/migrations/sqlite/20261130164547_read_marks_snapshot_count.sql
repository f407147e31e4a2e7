-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_devices" table
CREATE TABLE `new_devices` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `hostname` text NOT NULL, `platform` text NOT NULL DEFAULT ('unknown'), `role` text NOT NULL DEFAULT ('unknown'), `os_name` text NOT NULL DEFAULT (''), `os_version` text NOT NULL DEFAULT (''), `manufacturer` text NOT NULL DEFAULT (''), `model` text NOT NULL DEFAULT (''), `serial_number` text NOT NULL DEFAULT (''), `ip_addresses` json NOT NULL, `agent_version` text NOT NULL DEFAULT (''), `tags` json NOT NULL, `last_seen_at` datetime NULL, `token_hash` text NULL, `enrolment_key_id` uuid NULL, `last_snapshot_at` datetime NULL, `spooled_snapshots` integer NOT NULL DEFAULT (0), `dropped_snapshots` integer NOT NULL DEFAULT (0), `snapshot_count` integer NOT NULL DEFAULT (0), `tenant_id` uuid NOT NULL, `group_id` uuid NULL, `organisation_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `devices_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION, CONSTRAINT `devices_groups_devices` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `devices_organisations_devices` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "devices" to new temporary table "new_devices"
INSERT INTO `new_devices` (`id`, `created_at`, `updated_at`, `hostname`, `platform`, `role`, `os_name`, `os_version`, `manufacturer`, `model`, `serial_number`, `ip_addresses`, `agent_version`, `tags`, `last_seen_at`, `token_hash`, `enrolment_key_id`, `last_snapshot_at`, `spooled_snapshots`, `dropped_snapshots`, `tenant_id`, `group_id`, `organisation_id`) SELECT `id`, `created_at`, `updated_at`, `hostname`, `platform`, `role`, `os_name`, `os_version`, `manufacturer`, `model`, `serial_number`, `ip_addresses`, `agent_version`, `tags`, `last_seen_at`, `token_hash`, `enrolment_key_id`, `last_snapshot_at`, `spooled_snapshots`, `dropped_snapshots`, `tenant_id`, `group_id`, `organisation_id` FROM `devices`;
-- Drop "devices" table after copying rows
DROP TABLE `devices`;
-- Rename temporary table "new_devices" to "devices"
ALTER TABLE `new_devices` RENAME TO `devices`;
-- Create index "devices_token_hash_key" to table: "devices"
CREATE UNIQUE INDEX `devices_token_hash_key` ON `devices` (`token_hash`);
-- Create index "device_tenant_id_organisation_id_group_id" to table: "devices"
CREATE INDEX `device_tenant_id_organisation_id_group_id` ON `devices` (`tenant_id`, `organisation_id`, `group_id`);
-- Create index "device_tenant_id_hostname_id" to table: "devices"
CREATE INDEX `device_tenant_id_hostname_id` ON `devices` (`tenant_id`, `hostname`, `id`);
-- Create index "device_tenant_id_last_seen_at_id" to table: "devices"
CREATE INDEX `device_tenant_id_last_seen_at_id` ON `devices` (`tenant_id`, `last_seen_at`, `id`);
-- Create "notification_read_marks" table
CREATE TABLE `notification_read_marks` (`id` uuid NOT NULL, `user_id` uuid NOT NULL, `read_up_to_at` datetime NOT NULL, `read_up_to_id` uuid NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `notification_read_marks_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "notificationreadmark_tenant_id_user_id" to table: "notification_read_marks"
CREATE UNIQUE INDEX `notificationreadmark_tenant_id_user_id` ON `notification_read_marks` (`tenant_id`, `user_id`);
-- Backfill "snapshot_count" from the stored snapshots
UPDATE `devices` SET `snapshot_count` = (SELECT count(*) FROM `snapshots` WHERE `snapshots`.`device_id` = `devices`.`id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
