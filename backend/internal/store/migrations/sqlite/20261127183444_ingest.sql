-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_devices" table
CREATE TABLE `new_devices` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `hostname` text NOT NULL, `platform` text NOT NULL DEFAULT ('unknown'), `role` text NOT NULL DEFAULT ('unknown'), `os_name` text NOT NULL DEFAULT (''), `os_version` text NOT NULL DEFAULT (''), `manufacturer` text NOT NULL DEFAULT (''), `model` text NOT NULL DEFAULT (''), `serial_number` text NOT NULL DEFAULT (''), `ip_addresses` json NOT NULL, `agent_version` text NOT NULL DEFAULT (''), `tags` json NOT NULL, `last_seen_at` datetime NULL, `token_hash` text NULL, `enrolment_key_id` uuid NULL, `last_snapshot_at` datetime NULL, `spooled_snapshots` integer NOT NULL DEFAULT (0), `dropped_snapshots` integer NOT NULL DEFAULT (0), `tenant_id` uuid NOT NULL, `group_id` uuid NULL, `organisation_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `devices_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION, CONSTRAINT `devices_groups_devices` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `devices_organisations_devices` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "devices" to new temporary table "new_devices"
INSERT INTO `new_devices` (`id`, `created_at`, `updated_at`, `hostname`, `platform`, `role`, `os_name`, `os_version`, `manufacturer`, `model`, `serial_number`, `ip_addresses`, `agent_version`, `tags`, `last_seen_at`, `tenant_id`, `group_id`, `organisation_id`) SELECT `id`, `created_at`, `updated_at`, `hostname`, `platform`, `role`, `os_name`, `os_version`, `manufacturer`, `model`, `serial_number`, `ip_addresses`, `agent_version`, `tags`, `last_seen_at`, `tenant_id`, `group_id`, `organisation_id` FROM `devices`;
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
-- Create "device_sections" table
CREATE TABLE `device_sections` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `name` text NOT NULL, `hash` text NOT NULL, `data` blob NOT NULL, `snapshot_id` uuid NOT NULL, `updated_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `device_sections_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "devicesection_tenant_id_device_id_name" to table: "device_sections"
CREATE UNIQUE INDEX `devicesection_tenant_id_device_id_name` ON `device_sections` (`tenant_id`, `device_id`, `name`);
-- Create "enrolment_keys" table
CREATE TABLE `enrolment_keys` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `organisation_id` uuid NOT NULL, `group_id` uuid NULL, `description` text NOT NULL DEFAULT (''), `secret_hash` text NOT NULL, `prefix` text NOT NULL, `expires_at` datetime NULL, `max_uses` integer NOT NULL DEFAULT (0), `uses` integer NOT NULL DEFAULT (0), `revoked_at` datetime NULL, `created_by` uuid NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `enrolment_keys_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "enrolment_keys_secret_hash_key" to table: "enrolment_keys"
CREATE UNIQUE INDEX `enrolment_keys_secret_hash_key` ON `enrolment_keys` (`secret_hash`);
-- Create index "enrolmentkey_tenant_id_organisation_id_created_at" to table: "enrolment_keys"
CREATE INDEX `enrolmentkey_tenant_id_organisation_id_created_at` ON `enrolment_keys` (`tenant_id`, `organisation_id`, `created_at`);
-- Create "event_log_groups" table
CREATE TABLE `event_log_groups` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `log` text NOT NULL DEFAULT (''), `source` text NOT NULL DEFAULT (''), `event_id` integer NOT NULL DEFAULT (0), `level` text NOT NULL, `count` integer NOT NULL DEFAULT (0), `first_seen` datetime NOT NULL, `last_seen` datetime NOT NULL, `sample_message` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `event_log_groups_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "eventloggroup_tenant_id_device_id_last_seen" to table: "event_log_groups"
CREATE INDEX `eventloggroup_tenant_id_device_id_last_seen` ON `event_log_groups` (`tenant_id`, `device_id`, `last_seen`);
-- Create "installed_softwares" table
CREATE TABLE `installed_softwares` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `name` text NOT NULL, `version` text NOT NULL DEFAULT (''), `publisher` text NOT NULL DEFAULT (''), `install_date` text NOT NULL DEFAULT (''), `source` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `installed_softwares_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "installedsoftware_tenant_id_device_id_name" to table: "installed_softwares"
CREATE INDEX `installedsoftware_tenant_id_device_id_name` ON `installed_softwares` (`tenant_id`, `device_id`, `name`);
-- Create index "installedsoftware_tenant_id_organisation_id_name_version" to table: "installed_softwares"
CREATE INDEX `installedsoftware_tenant_id_organisation_id_name_version` ON `installed_softwares` (`tenant_id`, `organisation_id`, `name`, `version`);
-- Create "snapshots" table
CREATE TABLE `snapshots` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `snapshot_id` uuid NOT NULL, `collected_at` datetime NOT NULL, `received_at` datetime NOT NULL, `agent_version` text NOT NULL DEFAULT (''), `section_hashes` json NOT NULL, `changed_sections` json NOT NULL, `size_bytes` integer NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `snapshots_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "snapshot_tenant_id_device_id_snapshot_id" to table: "snapshots"
CREATE UNIQUE INDEX `snapshot_tenant_id_device_id_snapshot_id` ON `snapshots` (`tenant_id`, `device_id`, `snapshot_id`);
-- Create index "snapshot_tenant_id_device_id_received_at" to table: "snapshots"
CREATE INDEX `snapshot_tenant_id_device_id_received_at` ON `snapshots` (`tenant_id`, `device_id`, `received_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
