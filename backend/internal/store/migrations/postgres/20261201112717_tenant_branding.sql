-- Create "tenant_brandings" table
CREATE TABLE "tenant_brandings" ("id" uuid NOT NULL, "display_name" character varying NOT NULL DEFAULT '', "logo" bytea NULL, "logo_media_type" character varying NOT NULL DEFAULT '', "accent_color" character varying NOT NULL DEFAULT '', "updated_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "tenant_brandings_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "tenantbranding_tenant_id" to table: "tenant_brandings"
CREATE UNIQUE INDEX "tenantbranding_tenant_id" ON "tenant_brandings" ("tenant_id");
