-- Modify "event_log_groups" table
ALTER TABLE "event_log_groups" ADD COLUMN "source_address" character varying NOT NULL DEFAULT '';
-- Create index "eventloggroup_dedupe" to table: "event_log_groups"
CREATE UNIQUE INDEX "eventloggroup_dedupe" ON "event_log_groups" ("tenant_id", "device_id", "log", "source", "event_id", "level", "source_address", "first_seen", "last_seen");
-- Create index "eventloggroup_tenant_id_last_seen" to table: "event_log_groups"
CREATE INDEX "eventloggroup_tenant_id_last_seen" ON "event_log_groups" ("tenant_id", "last_seen");
-- Create "crash_reports" table
CREATE TABLE "crash_reports" ("id" uuid NOT NULL, "device_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "application" character varying NOT NULL DEFAULT '', "crashed_at" timestamptz NOT NULL, "detail" character varying NOT NULL DEFAULT '', "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "crash_reports_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "crashreport_tenant_id_crashed_at" to table: "crash_reports"
CREATE INDEX "crashreport_tenant_id_crashed_at" ON "crash_reports" ("tenant_id", "crashed_at");
-- Create index "crashreport_tenant_id_device_id_application_crashed_at" to table: "crash_reports"
CREATE UNIQUE INDEX "crashreport_tenant_id_device_id_application_crashed_at" ON "crash_reports" ("tenant_id", "device_id", "application", "crashed_at");
