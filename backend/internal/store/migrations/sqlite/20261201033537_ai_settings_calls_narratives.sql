-- Create "ai_calls" table
CREATE TABLE `ai_calls` (`id` uuid NOT NULL, `user_id` uuid NULL, `purpose` text NOT NULL, `model` text NOT NULL DEFAULT (''), `prompt_tokens` integer NOT NULL DEFAULT (0), `completion_tokens` integer NOT NULL DEFAULT (0), `latency_ms` integer NOT NULL DEFAULT (0), `outcome` text NOT NULL, `created_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `ai_calls_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "aicall_tenant_id_created_at" to table: "ai_calls"
CREATE INDEX `aicall_tenant_id_created_at` ON `ai_calls` (`tenant_id`, `created_at`);
-- Create "ai_settings" table
CREATE TABLE `ai_settings` (`id` uuid NOT NULL, `enabled` bool NOT NULL DEFAULT (false), `base_url` text NOT NULL DEFAULT (''), `model` text NOT NULL DEFAULT (''), `api_key_encrypted` blob NULL, `azure_api_version` text NOT NULL DEFAULT (''), `monthly_token_budget` integer NOT NULL DEFAULT (0), `updated_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `ai_settings_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "aisettings_tenant_id" to table: "ai_settings"
CREATE UNIQUE INDEX `aisettings_tenant_id` ON `ai_settings` (`tenant_id`);
-- Create "narratives" table
CREATE TABLE `narratives` (`id` uuid NOT NULL, `entity_kind` text NOT NULL, `entity_id` uuid NOT NULL, `organisation_id` uuid NULL, `findings_hash` text NOT NULL, `text` text NOT NULL, `next_steps` json NOT NULL, `model` text NOT NULL, `generated_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `narratives_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "narrative_tenant_id_entity_kind_entity_id" to table: "narratives"
CREATE UNIQUE INDEX `narrative_tenant_id_entity_kind_entity_id` ON `narratives` (`tenant_id`, `entity_kind`, `entity_id`);
