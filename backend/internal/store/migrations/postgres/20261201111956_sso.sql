-- Create "sso_configs" table
CREATE TABLE "sso_configs" ("id" uuid NOT NULL, "issuer_url" character varying NOT NULL, "client_id" character varying NOT NULL, "client_secret_encrypted" bytea NULL, "default_role" character varying NULL, "sso_only" boolean NOT NULL DEFAULT false, "enabled" boolean NOT NULL DEFAULT false, "updated_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sso_configs_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "ssoconfig_tenant_id" to table: "sso_configs"
CREATE UNIQUE INDEX "ssoconfig_tenant_id" ON "sso_configs" ("tenant_id");
-- Create "sso_domains" table
CREATE TABLE "sso_domains" ("id" uuid NOT NULL, "domain" character varying NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sso_domains_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "sso_domains_domain_key" to table: "sso_domains"
CREATE UNIQUE INDEX "sso_domains_domain_key" ON "sso_domains" ("domain");
-- Create index "ssodomain_tenant_id" to table: "sso_domains"
CREATE INDEX "ssodomain_tenant_id" ON "sso_domains" ("tenant_id");
-- Create "sso_login_codes" table
CREATE TABLE "sso_login_codes" ("id" uuid NOT NULL, "code_hash" character varying NOT NULL, "user_id" uuid NOT NULL, "binding_hash" character varying NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sso_login_codes_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "sso_login_codes_code_hash_key" to table: "sso_login_codes"
CREATE UNIQUE INDEX "sso_login_codes_code_hash_key" ON "sso_login_codes" ("code_hash");
-- Create index "ssologincode_expires_at" to table: "sso_login_codes"
CREATE INDEX "ssologincode_expires_at" ON "sso_login_codes" ("expires_at");
-- Create "sso_states" table
CREATE TABLE "sso_states" ("id" uuid NOT NULL, "state_hash" character varying NOT NULL, "nonce" character varying NOT NULL, "pkce_verifier" character varying NOT NULL, "binding_hash" character varying NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sso_states_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "sso_states_state_hash_key" to table: "sso_states"
CREATE UNIQUE INDEX "sso_states_state_hash_key" ON "sso_states" ("state_hash");
-- Create index "ssostate_expires_at" to table: "sso_states"
CREATE INDEX "ssostate_expires_at" ON "sso_states" ("expires_at");
-- Create "user_identities" table
CREATE TABLE "user_identities" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "issuer" character varying NOT NULL, "subject" character varying NOT NULL, "created_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "user_identities_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "useridentity_tenant_id_issuer_subject" to table: "user_identities"
CREATE UNIQUE INDEX "useridentity_tenant_id_issuer_subject" ON "user_identities" ("tenant_id", "issuer", "subject");
-- Create index "useridentity_tenant_id_user_id" to table: "user_identities"
CREATE INDEX "useridentity_tenant_id_user_id" ON "user_identities" ("tenant_id", "user_id");
