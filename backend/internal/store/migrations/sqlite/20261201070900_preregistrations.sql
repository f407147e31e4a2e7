-- Create "preregistrations" table
CREATE TABLE `preregistrations` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `organisation_id` uuid NOT NULL, `group_id` uuid NULL, `hostname` text NOT NULL DEFAULT (''), `serial_number` text NOT NULL DEFAULT (''), `tags` json NOT NULL, `created_by` uuid NULL, `tenant_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `preregistrations_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE NO ACTION);
-- Create index "preregistration_tenant_id_serial_number" to table: "preregistrations"
CREATE INDEX `preregistration_tenant_id_serial_number` ON `preregistrations` (`tenant_id`, `serial_number`);
-- Create index "preregistration_tenant_id_hostname" to table: "preregistrations"
CREATE INDEX `preregistration_tenant_id_hostname` ON `preregistrations` (`tenant_id`, `hostname`);
-- Create index "preregistration_tenant_id_organisation_id" to table: "preregistrations"
CREATE INDEX `preregistration_tenant_id_organisation_id` ON `preregistrations` (`tenant_id`, `organisation_id`);
