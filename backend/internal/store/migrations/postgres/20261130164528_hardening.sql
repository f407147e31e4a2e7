-- Modify "tenants" table
ALTER TABLE "tenants" ADD COLUMN "retention_snapshot_days" bigint NOT NULL DEFAULT 90, ADD COLUMN "retention_history_days" bigint NOT NULL DEFAULT 400, ADD COLUMN "retention_notification_days" bigint NOT NULL DEFAULT 90, ADD COLUMN "retention_delivery_days" bigint NOT NULL DEFAULT 30, ADD COLUMN "retention_audit_days" bigint NOT NULL DEFAULT 365;
-- Create "audit_events" table
CREATE TABLE "audit_events" ("id" uuid NOT NULL, "action" character varying NOT NULL, "target_kind" character varying NOT NULL, "target_id" uuid NOT NULL, "target_name" character varying NOT NULL DEFAULT '', "organisation_id" uuid NULL, "actor_id" uuid NULL, "actor" character varying NOT NULL DEFAULT '', "detail" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "audit_events_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "auditevent_tenant_id_created_at" to table: "audit_events"
CREATE INDEX "auditevent_tenant_id_created_at" ON "audit_events" ("tenant_id", "created_at");
