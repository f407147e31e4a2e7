-- Modify "device_healths" table
ALTER TABLE "device_healths" ADD COLUMN "top_check_id" character varying NOT NULL DEFAULT '', ADD COLUMN "top_title" character varying NOT NULL DEFAULT '', ADD COLUMN "top_severity" character varying NOT NULL DEFAULT '', ADD COLUMN "issue_count" bigint NOT NULL DEFAULT 0;
-- Create index "installedsoftware_tenant_id_name_version_device_id" to table: "installed_softwares"
CREATE INDEX "installedsoftware_tenant_id_name_version_device_id" ON "installed_softwares" ("tenant_id", "name", "version", "device_id");
-- Create "device_findings" table
CREATE TABLE "device_findings" ("id" uuid NOT NULL, "device_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "group_id" uuid NULL, "check_id" character varying NOT NULL, "subject" character varying NOT NULL DEFAULT '', "domain" character varying NOT NULL, "status" character varying NOT NULL, "severity" character varying NOT NULL, "penalty" bigint NOT NULL, "title" character varying NOT NULL DEFAULT '', "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "device_findings_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "devicefinding_tenant_id_check_id_device_id" to table: "device_findings"
CREATE INDEX "devicefinding_tenant_id_check_id_device_id" ON "device_findings" ("tenant_id", "check_id", "device_id");
-- Create index "devicefinding_tenant_id_device_id" to table: "device_findings"
CREATE INDEX "devicefinding_tenant_id_device_id" ON "device_findings" ("tenant_id", "device_id");
-- Create index "devicefinding_tenant_id_organisation_id_check_id" to table: "device_findings"
CREATE INDEX "devicefinding_tenant_id_organisation_id_check_id" ON "device_findings" ("tenant_id", "organisation_id", "check_id");
