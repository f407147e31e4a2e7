-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create index "installedsoftware_tenant_id_name_version_device_id" to table: "installed_softwares"
CREATE INDEX `installedsoftware_tenant_id_name_version_device_id` ON `installed_softwares` (`tenant_id`, `name`, `version`, `device_id`);
-- Create "new_device_healths" table
CREATE TABLE `new_device_healths` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `group_id` uuid NULL, `score` integer NOT NULL, `band` text NOT NULL, `scored` bool NOT NULL, `server` bool NOT NULL DEFAULT (false), `stale` bool NOT NULL DEFAULT (false), `coverage` real NOT NULL, `cap_reason` text NOT NULL DEFAULT (''), `needs_attention` bool NOT NULL DEFAULT (false), `top_check_id` text NOT NULL DEFAULT (''), `top_title` text NOT NULL DEFAULT (''), `top_severity` text NOT NULL DEFAULT (''), `issue_count` integer NOT NULL DEFAULT (0), `domains` json NOT NULL, `findings` json NOT NULL, `snapshot_id` uuid NULL, `snapshot_received_at` datetime NULL, `computed_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `device_healths_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "device_healths" to new temporary table "new_device_healths"
INSERT INTO `new_device_healths` (`id`, `device_id`, `organisation_id`, `group_id`, `score`, `band`, `scored`, `server`, `stale`, `coverage`, `cap_reason`, `needs_attention`, `domains`, `findings`, `snapshot_id`, `snapshot_received_at`, `computed_at`, `tenant_id`) SELECT `id`, `device_id`, `organisation_id`, `group_id`, `score`, `band`, `scored`, `server`, `stale`, `coverage`, `cap_reason`, `needs_attention`, `domains`, `findings`, `snapshot_id`, `snapshot_received_at`, `computed_at`, `tenant_id` FROM `device_healths`;
-- Drop "device_healths" table after copying rows
DROP TABLE `device_healths`;
-- Rename temporary table "new_device_healths" to "device_healths"
ALTER TABLE `new_device_healths` RENAME TO `device_healths`;
-- Create index "devicehealth_tenant_id_device_id" to table: "device_healths"
CREATE UNIQUE INDEX `devicehealth_tenant_id_device_id` ON `device_healths` (`tenant_id`, `device_id`);
-- Create index "devicehealth_tenant_id_organisation_id_score" to table: "device_healths"
CREATE INDEX `devicehealth_tenant_id_organisation_id_score` ON `device_healths` (`tenant_id`, `organisation_id`, `score`);
-- Create index "devicehealth_tenant_id_score" to table: "device_healths"
CREATE INDEX `devicehealth_tenant_id_score` ON `device_healths` (`tenant_id`, `score`);
-- Create "device_findings" table
CREATE TABLE `device_findings` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `group_id` uuid NULL, `check_id` text NOT NULL, `subject` text NOT NULL DEFAULT (''), `domain` text NOT NULL, `status` text NOT NULL, `severity` text NOT NULL, `penalty` integer NOT NULL, `title` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `device_findings_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "devicefinding_tenant_id_device_id" to table: "device_findings"
CREATE INDEX `devicefinding_tenant_id_device_id` ON `device_findings` (`tenant_id`, `device_id`);
-- Create index "devicefinding_tenant_id_check_id_device_id" to table: "device_findings"
CREATE INDEX `devicefinding_tenant_id_check_id_device_id` ON `device_findings` (`tenant_id`, `check_id`, `device_id`);
-- Create index "devicefinding_tenant_id_organisation_id_check_id" to table: "device_findings"
CREATE INDEX `devicefinding_tenant_id_organisation_id_check_id` ON `device_findings` (`tenant_id`, `organisation_id`, `check_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
