-- Create "device_healths" table
CREATE TABLE "device_healths" ("id" uuid NOT NULL, "device_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "group_id" uuid NULL, "score" bigint NOT NULL, "band" character varying NOT NULL, "scored" boolean NOT NULL, "server" boolean NOT NULL DEFAULT false, "stale" boolean NOT NULL DEFAULT false, "coverage" double precision NOT NULL, "cap_reason" character varying NOT NULL DEFAULT '', "domains" jsonb NOT NULL, "findings" jsonb NOT NULL, "snapshot_id" uuid NULL, "snapshot_received_at" timestamptz NULL, "computed_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "device_healths_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "devicehealth_tenant_id_device_id" to table: "device_healths"
CREATE UNIQUE INDEX "devicehealth_tenant_id_device_id" ON "device_healths" ("tenant_id", "device_id");
-- Create index "devicehealth_tenant_id_organisation_id_score" to table: "device_healths"
CREATE INDEX "devicehealth_tenant_id_organisation_id_score" ON "device_healths" ("tenant_id", "organisation_id", "score");
-- Create index "devicehealth_tenant_id_score" to table: "device_healths"
CREATE INDEX "devicehealth_tenant_id_score" ON "device_healths" ("tenant_id", "score");
-- Create "entity_healths" table
CREATE TABLE "entity_healths" ("id" uuid NOT NULL, "kind" character varying NOT NULL, "entity_id" uuid NOT NULL, "organisation_id" uuid NULL, "score" bigint NOT NULL, "band" character varying NOT NULL, "scored" boolean NOT NULL, "coverage" double precision NOT NULL, "freshness" double precision NOT NULL, "device_count" bigint NOT NULL, "cap_reason" character varying NOT NULL DEFAULT '', "bands" jsonb NOT NULL, "worst" jsonb NOT NULL, "computed_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "entity_healths_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "entityhealth_tenant_id_kind_entity_id" to table: "entity_healths"
CREATE UNIQUE INDEX "entityhealth_tenant_id_kind_entity_id" ON "entity_healths" ("tenant_id", "kind", "entity_id");
-- Create "health_histories" table
CREATE TABLE "health_histories" ("id" uuid NOT NULL, "kind" character varying NOT NULL, "entity_id" uuid NOT NULL, "organisation_id" uuid NULL, "score" bigint NOT NULL, "band" character varying NOT NULL, "scored" boolean NOT NULL, "findings" jsonb NULL, "computed_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "health_histories_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "healthhistory_tenant_id_kind_entity_id_computed_at" to table: "health_histories"
CREATE INDEX "healthhistory_tenant_id_kind_entity_id_computed_at" ON "health_histories" ("tenant_id", "kind", "entity_id", "computed_at");
