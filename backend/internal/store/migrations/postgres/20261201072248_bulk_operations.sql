-- Modify "devices" table
ALTER TABLE "devices" ADD COLUMN "retired_at" timestamptz NULL;
-- Create "bulk_operations" table
CREATE TABLE "bulk_operations" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "created_by" uuid NOT NULL, "action" character varying NOT NULL, "state" character varying NOT NULL DEFAULT 'queued', "device_ids" jsonb NOT NULL, "organisation_id" uuid NULL, "group_id" uuid NULL, "add_tags" jsonb NOT NULL, "remove_tags" jsonb NOT NULL, "total" bigint NOT NULL DEFAULT 0, "processed" bigint NOT NULL DEFAULT 0, "failed" bigint NOT NULL DEFAULT 0, "errors" jsonb NOT NULL, "finished_at" timestamptz NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "bulk_operations_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "bulkoperation_tenant_id_created_at" to table: "bulk_operations"
CREATE INDEX "bulkoperation_tenant_id_created_at" ON "bulk_operations" ("tenant_id", "created_at");
