/** Permission names the server grants through WhoAmI.permissions. */
export const Permission = {
  TenantWrite: "tenant.write",
  OrganisationWrite: "organisation.write",
  GroupWrite: "group.write",
  DeviceRead: "device.read",
  DeviceWrite: "device.write",
  UserRead: "user.read",
  UserManage: "user.manage",
  EnrolmentManage: "enrolment.manage",
  PolicyRead: "policy.read",
  PolicyManage: "policy.manage",
  AlertManage: "alert.manage",
  /** Ask the assistant; read narratives, memories and discovery reports. */
  AIUse: "ai.use",
  /** Teach the assistant (memories) and ask for a new narrative. */
  AIWrite: "ai.write",
  /** The tenant's model endpoint, budget and usage (owners). */
  AIManage: "ai.manage",
  /** Delete and retire devices. */
  DeviceDelete: "device.delete",
  /** Dismiss the tenant's getting-started checklist (owners, admins). */
  OnboardingManage: "onboarding.manage",
  /** Import organisations, groups and device pre-registrations from CSV. */
  TransferImport: "transfer.import",
  /** Export what the caller can see as CSV. */
  TransferExport: "transfer.export",
  /** Render the health report of an organisation the caller can see. */
  ReportRead: "report.read",
  /** Send reports by mail and schedule them. */
  ReportManage: "report.manage",
  /** The tenant's sign-in policy: require a second factor (owners). */
  SecurityManage: "security.manage",
  /** The tenant's single sign-on configuration (owners). */
  SSOManage: "sso.manage",
  /** Create, list and revoke API keys (owners, admins). */
  APIKeyManage: "apikey.manage",
  /** Read and export the audit log (owners, admins). */
  AuditRead: "audit.read",
} as const;

/** Permission is one of the names above (the server may send others). */
export type Permission = (typeof Permission)[keyof typeof Permission];
