-- Create "api_keys" table
CREATE TABLE "api_keys" ("id" uuid NOT NULL, "name" character varying NOT NULL, "prefix" character varying NOT NULL, "secret_hash" character varying NOT NULL, "role" character varying NOT NULL, "organisation_ids" jsonb NOT NULL, "created_by" uuid NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NULL, "last_used_at" timestamptz NULL, "last_used_address" character varying NOT NULL DEFAULT '', "revoked_at" timestamptz NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "api_keys_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "api_keys_secret_hash_key" to table: "api_keys"
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys" ("secret_hash");
-- Create index "apikey_tenant_id_created_at" to table: "api_keys"
CREATE INDEX "apikey_tenant_id_created_at" ON "api_keys" ("tenant_id", "created_at");
