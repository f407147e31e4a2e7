-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_device_healths" table
CREATE TABLE `new_device_healths` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `group_id` uuid NULL, `score` integer NOT NULL, `band` text NOT NULL, `scored` bool NOT NULL, `server` bool NOT NULL DEFAULT (false), `stale` bool NOT NULL DEFAULT (false), `coverage` real NOT NULL, `cap_reason` text NOT NULL DEFAULT (''), `needs_attention` bool NOT NULL DEFAULT (false), `domains` json NOT NULL, `findings` json NOT NULL, `snapshot_id` uuid NULL, `snapshot_received_at` datetime NULL, `computed_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `device_healths_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "device_healths" to new temporary table "new_device_healths"
INSERT INTO `new_device_healths` (`id`, `device_id`, `organisation_id`, `group_id`, `score`, `band`, `scored`, `server`, `stale`, `coverage`, `cap_reason`, `domains`, `findings`, `snapshot_id`, `snapshot_received_at`, `computed_at`, `tenant_id`) SELECT `id`, `device_id`, `organisation_id`, `group_id`, `score`, `band`, `scored`, `server`, `stale`, `coverage`, `cap_reason`, `domains`, `findings`, `snapshot_id`, `snapshot_received_at`, `computed_at`, `tenant_id` FROM `device_healths`;
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
-- Create "new_entity_healths" table
CREATE TABLE `new_entity_healths` (`id` uuid NOT NULL, `kind` text NOT NULL, `entity_id` uuid NOT NULL, `organisation_id` uuid NULL, `score` integer NOT NULL, `band` text NOT NULL, `scored` bool NOT NULL, `coverage` real NOT NULL, `freshness` real NOT NULL, `device_count` integer NOT NULL, `cap_reason` text NOT NULL DEFAULT (''), `needs_attention` integer NOT NULL DEFAULT (0), `bands` json NOT NULL, `worst` json NOT NULL, `computed_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `entity_healths_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Copy rows from old table "entity_healths" to new temporary table "new_entity_healths"
INSERT INTO `new_entity_healths` (`id`, `kind`, `entity_id`, `organisation_id`, `score`, `band`, `scored`, `coverage`, `freshness`, `device_count`, `cap_reason`, `bands`, `worst`, `computed_at`, `tenant_id`) SELECT `id`, `kind`, `entity_id`, `organisation_id`, `score`, `band`, `scored`, `coverage`, `freshness`, `device_count`, `cap_reason`, `bands`, `worst`, `computed_at`, `tenant_id` FROM `entity_healths`;
-- Drop "entity_healths" table after copying rows
DROP TABLE `entity_healths`;
-- Rename temporary table "new_entity_healths" to "entity_healths"
ALTER TABLE `new_entity_healths` RENAME TO `entity_healths`;
-- Create index "entityhealth_tenant_id_kind_entity_id" to table: "entity_healths"
CREATE UNIQUE INDEX `entityhealth_tenant_id_kind_entity_id` ON `entity_healths` (`tenant_id`, `kind`, `entity_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
