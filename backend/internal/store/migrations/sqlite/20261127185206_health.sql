-- Create "device_healths" table
CREATE TABLE `device_healths` (`id` uuid NOT NULL, `device_id` uuid NOT NULL, `organisation_id` uuid NOT NULL, `group_id` uuid NULL, `score` integer NOT NULL, `band` text NOT NULL, `scored` bool NOT NULL, `server` bool NOT NULL DEFAULT (false), `stale` bool NOT NULL DEFAULT (false), `coverage` real NOT NULL, `cap_reason` text NOT NULL DEFAULT (''), `domains` json NOT NULL, `findings` json NOT NULL, `snapshot_id` uuid NULL, `snapshot_received_at` datetime NULL, `computed_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `device_healths_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "devicehealth_tenant_id_device_id" to table: "device_healths"
CREATE UNIQUE INDEX `devicehealth_tenant_id_device_id` ON `device_healths` (`tenant_id`, `device_id`);
-- Create index "devicehealth_tenant_id_organisation_id_score" to table: "device_healths"
CREATE INDEX `devicehealth_tenant_id_organisation_id_score` ON `device_healths` (`tenant_id`, `organisation_id`, `score`);
-- Create index "devicehealth_tenant_id_score" to table: "device_healths"
CREATE INDEX `devicehealth_tenant_id_score` ON `device_healths` (`tenant_id`, `score`);
-- Create "entity_healths" table
CREATE TABLE `entity_healths` (`id` uuid NOT NULL, `kind` text NOT NULL, `entity_id` uuid NOT NULL, `organisation_id` uuid NULL, `score` integer NOT NULL, `band` text NOT NULL, `scored` bool NOT NULL, `coverage` real NOT NULL, `freshness` real NOT NULL, `device_count` integer NOT NULL, `cap_reason` text NOT NULL DEFAULT (''), `bands` json NOT NULL, `worst` json NOT NULL, `computed_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `entity_healths_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "entityhealth_tenant_id_kind_entity_id" to table: "entity_healths"
CREATE UNIQUE INDEX `entityhealth_tenant_id_kind_entity_id` ON `entity_healths` (`tenant_id`, `kind`, `entity_id`);
-- Create "health_histories" table
CREATE TABLE `health_histories` (`id` uuid NOT NULL, `kind` text NOT NULL, `entity_id` uuid NOT NULL, `organisation_id` uuid NULL, `score` integer NOT NULL, `band` text NOT NULL, `scored` bool NOT NULL, `findings` json NULL, `computed_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `health_histories_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "healthhistory_tenant_id_kind_entity_id_computed_at" to table: "health_histories"
CREATE INDEX `healthhistory_tenant_id_kind_entity_id_computed_at` ON `health_histories` (`tenant_id`, `kind`, `entity_id`, `computed_at`);
