-- Create "onboarding_states" table
CREATE TABLE "onboarding_states" ("id" uuid NOT NULL, "steps_done" jsonb NOT NULL, "dismissed" boolean NOT NULL DEFAULT false, "updated_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "onboarding_states_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "onboardingstate_tenant_id" to table: "onboarding_states"
CREATE UNIQUE INDEX "onboardingstate_tenant_id" ON "onboarding_states" ("tenant_id");
-- Create "seen_tours" table
CREATE TABLE "seen_tours" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "tour_id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "seen_tours_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "seentour_tenant_id_user_id_tour_id" to table: "seen_tours"
CREATE UNIQUE INDEX "seentour_tenant_id_user_id_tour_id" ON "seen_tours" ("tenant_id", "user_id", "tour_id");
