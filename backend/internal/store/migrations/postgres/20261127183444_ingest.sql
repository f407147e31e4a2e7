-- Modify "devices" table
ALTER TABLE "devices" ADD COLUMN "token_hash" character varying NULL, ADD COLUMN "enrolment_key_id" uuid NULL, ADD COLUMN "last_snapshot_at" timestamptz NULL, ADD COLUMN "spooled_snapshots" bigint NOT NULL DEFAULT 0, ADD COLUMN "dropped_snapshots" bigint NOT NULL DEFAULT 0;
-- Create index "devices_token_hash_key" to table: "devices"
CREATE UNIQUE INDEX "devices_token_hash_key" ON "devices" ("token_hash");
-- Create "device_sections" table
CREATE TABLE "device_sections" ("id" uuid NOT NULL, "device_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "name" character varying NOT NULL, "hash" character varying NOT NULL, "data" bytea NOT NULL, "snapshot_id" uuid NOT NULL, "updated_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "device_sections_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "devicesection_tenant_id_device_id_name" to table: "device_sections"
CREATE UNIQUE INDEX "devicesection_tenant_id_device_id_name" ON "device_sections" ("tenant_id", "device_id", "name");
-- Create "enrolment_keys" table
CREATE TABLE "enrolment_keys" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "organisation_id" uuid NOT NULL, "group_id" uuid NULL, "description" character varying NOT NULL DEFAULT '', "secret_hash" character varying NOT NULL, "prefix" character varying NOT NULL, "expires_at" timestamptz NULL, "max_uses" bigint NOT NULL DEFAULT 0, "uses" bigint NOT NULL DEFAULT 0, "revoked_at" timestamptz NULL, "created_by" uuid NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "enrolment_keys_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "enrolment_keys_secret_hash_key" to table: "enrolment_keys"
CREATE UNIQUE INDEX "enrolment_keys_secret_hash_key" ON "enrolment_keys" ("secret_hash");
-- Create index "enrolmentkey_tenant_id_organisation_id_created_at" to table: "enrolment_keys"
CREATE INDEX "enrolmentkey_tenant_id_organisation_id_created_at" ON "enrolment_keys" ("tenant_id", "organisation_id", "created_at");
-- Create "event_log_groups" table
CREATE TABLE "event_log_groups" ("id" uuid NOT NULL, "device_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "log" character varying NOT NULL DEFAULT '', "source" character varying NOT NULL DEFAULT '', "event_id" bigint NOT NULL DEFAULT 0, "level" character varying NOT NULL, "count" bigint NOT NULL DEFAULT 0, "first_seen" timestamptz NOT NULL, "last_seen" timestamptz NOT NULL, "sample_message" character varying NOT NULL DEFAULT '', "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "event_log_groups_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "eventloggroup_tenant_id_device_id_last_seen" to table: "event_log_groups"
CREATE INDEX "eventloggroup_tenant_id_device_id_last_seen" ON "event_log_groups" ("tenant_id", "device_id", "last_seen");
-- Create "installed_softwares" table
CREATE TABLE "installed_softwares" ("id" uuid NOT NULL, "device_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "name" character varying NOT NULL, "version" character varying NOT NULL DEFAULT '', "publisher" character varying NOT NULL DEFAULT '', "install_date" character varying NOT NULL DEFAULT '', "source" character varying NOT NULL DEFAULT '', "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "installed_softwares_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "installedsoftware_tenant_id_device_id_name" to table: "installed_softwares"
CREATE INDEX "installedsoftware_tenant_id_device_id_name" ON "installed_softwares" ("tenant_id", "device_id", "name");
-- Create index "installedsoftware_tenant_id_organisation_id_name_version" to table: "installed_softwares"
CREATE INDEX "installedsoftware_tenant_id_organisation_id_name_version" ON "installed_softwares" ("tenant_id", "organisation_id", "name", "version");
-- Create "snapshots" table
CREATE TABLE "snapshots" ("id" uuid NOT NULL, "device_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "snapshot_id" uuid NOT NULL, "collected_at" timestamptz NOT NULL, "received_at" timestamptz NOT NULL, "agent_version" character varying NOT NULL DEFAULT '', "section_hashes" jsonb NOT NULL, "changed_sections" jsonb NOT NULL, "size_bytes" bigint NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "snapshots_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "snapshot_tenant_id_device_id_received_at" to table: "snapshots"
CREATE INDEX "snapshot_tenant_id_device_id_received_at" ON "snapshots" ("tenant_id", "device_id", "received_at");
-- Create index "snapshot_tenant_id_device_id_snapshot_id" to table: "snapshots"
CREATE UNIQUE INDEX "snapshot_tenant_id_device_id_snapshot_id" ON "snapshots" ("tenant_id", "device_id", "snapshot_id");
