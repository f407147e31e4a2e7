-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_event_log_groups" table
CREATE TABLE `new_event_log_groups` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `log` text NOT NULL DEFAULT (''), `source` text NOT NULL DEFAULT (''), `event_id` integer NOT NULL DEFAULT (0), `level` text NOT NULL, `source_address` text NOT NULL DEFAULT (''), `count` integer NOT NULL DEFAULT (0), `first_seen` datetime NOT NULL, `last_seen` datetime NOT NULL, `sample_message` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `event_log_groups_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "event_log_groups" to new temporary table "new_event_log_groups"
INSERT INTO `new_event_log_groups` (`id`, `device_id`, `organisation_id`, `log`, `source`, `event_id`, `level`, `count`, `first_seen`, `last_seen`, `sample_message`, `tenant_id`) SELECT `id`, `device_id`, `organisation_id`, `log`, `source`, `event_id`, `level`, `count`, `first_seen`, `last_seen`, `sample_message`, `tenant_id` FROM `event_log_groups`;
-- Drop "event_log_groups" table after copying rows
DROP TABLE `event_log_groups`;
-- Rename temporary table "new_event_log_groups" to "event_log_groups"
ALTER TABLE `new_event_log_groups` RENAME TO `event_log_groups`;
-- Create index "eventloggroup_tenant_id_device_id_last_seen" to table: "event_log_groups"
CREATE INDEX `eventloggroup_tenant_id_device_id_last_seen` ON `event_log_groups` (`tenant_id`, `device_id`, `last_seen`);
-- Create index "eventloggroup_tenant_id_last_seen" to table: "event_log_groups"
CREATE INDEX `eventloggroup_tenant_id_last_seen` ON `event_log_groups` (`tenant_id`, `last_seen`);
-- Create index "eventloggroup_dedupe" to table: "event_log_groups"
CREATE UNIQUE INDEX `eventloggroup_dedupe` ON `event_log_groups` (`tenant_id`, `device_id`, `log`, `source`, `event_id`, `level`, `source_address`, `first_seen`, `last_seen`);
-- Create "crash_reports" table
CREATE TABLE `crash_reports` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `application` text NOT NULL DEFAULT (''), `crashed_at` datetime NOT NULL, `detail` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `crash_reports_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "crashreport_tenant_id_device_id_application_crashed_at" to table: "crash_reports"
CREATE UNIQUE INDEX `crashreport_tenant_id_device_id_application_crashed_at` ON `crash_reports` (`tenant_id`, `device_id`, `application`, `crashed_at`);
-- Create index "crashreport_tenant_id_crashed_at" to table: "crash_reports"
CREATE INDEX `crashreport_tenant_id_crashed_at` ON `crash_reports` (`tenant_id`, `crashed_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
