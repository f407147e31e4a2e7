-- Create "notifications" table
CREATE TABLE `notifications` (`id` uuid NOT NULL, `kind` text NOT NULL, `severity` text NOT NULL, `title` text NOT NULL, `body` text NOT NULL DEFAULT (''), `entity_kind` text NOT NULL, `entity_id` uuid NOT NULL, `organisation_id` uuid NULL, `dedupe_key` text NOT NULL, `created_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `notifications_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "notification_tenant_id_created_at" to table: "notifications"
CREATE INDEX `notification_tenant_id_created_at` ON `notifications` (`tenant_id`, `created_at`);
-- Create index "notification_tenant_id_dedupe_key" to table: "notifications"
CREATE UNIQUE INDEX `notification_tenant_id_dedupe_key` ON `notifications` (`tenant_id`, `dedupe_key`);
-- Create "notification_receipts" table
CREATE TABLE `notification_receipts` (`id` uuid NOT NULL, `notification_id` uuid NOT NULL, `user_id` uuid NOT NULL, `read_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `notification_receipts_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "notificationreceipt_tenant_id_user_id_notification_id" to table: "notification_receipts"
CREATE UNIQUE INDEX `notificationreceipt_tenant_id_user_id_notification_id` ON `notification_receipts` (`tenant_id`, `user_id`, `notification_id`);
-- Create "policy_audits" table
CREATE TABLE `policy_audits` (`id` uuid NOT NULL, `action` text NOT NULL, `level` text NOT NULL, `target_id` uuid NOT NULL, `organisation_id` uuid NULL, `check_id` text NOT NULL DEFAULT (''), `actor_id` uuid NULL, `actor` text NOT NULL DEFAULT (''), `reason` text NOT NULL DEFAULT (''), `detail` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `policy_audits_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "policyaudit_tenant_id_created_at" to table: "policy_audits"
CREATE INDEX `policyaudit_tenant_id_created_at` ON `policy_audits` (`tenant_id`, `created_at`);
-- Create "policy_guidances" table
CREATE TABLE `policy_guidances` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `level` text NOT NULL, `target_id` uuid NOT NULL, `organisation_id` uuid NULL, `text` text NOT NULL, `updated_by` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `policy_guidances_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "policyguidance_tenant_id_level_target_id" to table: "policy_guidances"
CREATE UNIQUE INDEX `policyguidance_tenant_id_level_target_id` ON `policy_guidances` (`tenant_id`, `level`, `target_id`);
-- Create "policy_overrides" table
CREATE TABLE `policy_overrides` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `level` text NOT NULL, `target_id` uuid NOT NULL, `organisation_id` uuid NULL, `check_id` text NOT NULL, `enabled` bool NULL, `warn` real NULL, `fail` real NULL, `severity` text NOT NULL DEFAULT (''), `suppress` bool NOT NULL DEFAULT (false), `reason` text NOT NULL, `updated_by` text NOT NULL DEFAULT (''), `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `policy_overrides_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "policyoverride_tenant_id_level_target_id_check_id" to table: "policy_overrides"
CREATE UNIQUE INDEX `policyoverride_tenant_id_level_target_id_check_id` ON `policy_overrides` (`tenant_id`, `level`, `target_id`, `check_id`);
-- Create "webhooks" table
CREATE TABLE `webhooks` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `url` text NOT NULL, `description` text NOT NULL DEFAULT (''), `kinds` json NOT NULL, `secret_encrypted` blob NOT NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhooks_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create "webhook_deliveries" table
CREATE TABLE `webhook_deliveries` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `webhook_id` uuid NOT NULL, `notification_id` uuid NOT NULL, `status` text NOT NULL DEFAULT ('pending'), `attempts` integer NOT NULL DEFAULT (0), `response_status` integer NOT NULL DEFAULT (0), `error` text NOT NULL DEFAULT (''), `delivered_at` datetime NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_deliveries_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "webhookdelivery_tenant_id_webhook_id_created_at" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_tenant_id_webhook_id_created_at` ON `webhook_deliveries` (`tenant_id`, `webhook_id`, `created_at`);
-- Create index "webhookdelivery_tenant_id_webhook_id_notification_id" to table: "webhook_deliveries"
CREATE UNIQUE INDEX `webhookdelivery_tenant_id_webhook_id_notification_id` ON `webhook_deliveries` (`tenant_id`, `webhook_id`, `notification_id`);
