package authz

import (
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
)

// Access is what a procedure requires of its caller.
type Access struct {
	// Public procedures need no credentials (sign-up, login, token rotation).
	Public bool
	// Device procedures are called by agents with a device token, never by
	// users.
	Device bool
	// EnrolmentKey procedures are public but present an enrolment key: in
	// the body (older agents) or as the bearer credential, which is then
	// verified before the body is read.
	EnrolmentKey bool
	// Permission is required of an authenticated caller; the zero value with
	// Public and Device false means "any authenticated member".
	Permission Permission
	// SessionOnly procedures need a signed-in user: an API key is refused
	// (permission_denied), so a key can neither mint keys nor change
	// anyone's factors or sessions.
	SessionOnly bool
	// DuringFactorSetup procedures stay open to a member whose tenant
	// requires a second factor they have not set up yet; every other
	// procedure is failed_precondition for them until they do.
	DuringFactorSetup bool
}

// The permissions of the model.
var (
	TenantRead        = Permission{"tenant", "read"}
	TenantWrite       = Permission{"tenant", "write"}
	OrganisationRead  = Permission{"organisation", "read"}
	OrganisationWrite = Permission{"organisation", "write"}
	GroupRead         = Permission{"group", "read"}
	GroupWrite        = Permission{"group", "write"}
	DeviceRead        = Permission{"device", "read"}
	DeviceWrite       = Permission{"device", "write"}
	DeviceDelete      = Permission{"device", "delete"}
	UserRead          = Permission{"user", "read"}
	UserManage        = Permission{"user", "manage"}
	EnrolmentManage   = Permission{"enrolment", "manage"}
	PolicyRead        = Permission{"policy", "read"}
	PolicyManage      = Permission{"policy", "manage"}
	AlertManage       = Permission{"alert", "manage"}
	// AIUse is asking the assistant and reading what it wrote (narratives,
	// memories, discovery reports) about entities the caller can see.
	AIUse = Permission{"ai", "use"}
	// AIWrite is teaching the assistant (memories) and asking it for a new
	// narrative.
	AIWrite = Permission{"ai", "write"}
	// AIManage is the tenant's model endpoint, its budget and usage.
	AIManage = Permission{"ai", "manage"}
	// OnboardingManage is dismissing the tenant's getting-started checklist.
	OnboardingManage = Permission{"onboarding", "manage"}
	// TransferImport is importing organisations, groups and device
	// pre-registrations from CSV.
	TransferImport = Permission{"transfer", "import"}
	// TransferExport is exporting what the caller can see as CSV.
	TransferExport = Permission{"transfer", "export"}
	// ReportRead is rendering the health report of an organisation the
	// caller can see.
	ReportRead = Permission{"report", "read"}
	// ReportManage is sending reports by mail and scheduling them.
	ReportManage = Permission{"report", "manage"}
	// SecurityManage is the tenant's sign-in policy (require a second
	// factor).
	SecurityManage = Permission{"security", "manage"}
	// SSOManage is the tenant's single sign-on configuration.
	SSOManage = Permission{"sso", "manage"}
	// APIKeyManage is creating, listing and revoking the tenant's API keys.
	APIKeyManage = Permission{"apikey", "manage"}
	// AuditRead is reading and exporting the tenant's audit log.
	AuditRead = Permission{"audit", "read"}
)

var (
	public        = Access{Public: true}
	agent         = Access{Device: true}
	authenticated = Access{}
)

func need(p Permission) Access { return Access{Permission: p} }

// own is a procedure on the caller's own account (factors, sessions): any
// signed-in member, never an API key, open while a second factor is being
// set up.
var own = Access{SessionOnly: true, DuringFactorSetup: true}

// Procedures maps every RPC procedure to what it requires. A procedure that
// is not here is refused (fail closed), and a test fails when a procedure of
// the service descriptors is missing.
var Procedures = map[string]Access{
	wegweiserv1connect.AuthServiceSignUpProcedure:                  public,
	wegweiserv1connect.AuthServiceLoginProcedure:                   public,
	wegweiserv1connect.AuthServiceRefreshProcedure:                 public,
	wegweiserv1connect.AuthServiceLogoutProcedure:                  public,
	wegweiserv1connect.AuthServiceAcceptInvitationProcedure:        public,
	wegweiserv1connect.AuthServiceWhoAmIProcedure:                  {DuringFactorSetup: true},
	wegweiserv1connect.AuthServiceBeginSecondFactorProcedure:       public,
	wegweiserv1connect.AuthServiceFinishSecondFactorProcedure:      public,
	wegweiserv1connect.AuthServiceBeginPasskeySignInProcedure:      public,
	wegweiserv1connect.AuthServiceFinishPasskeySignInProcedure:     public,
	wegweiserv1connect.AuthServiceStartSingleSignOnProcedure:       public,
	wegweiserv1connect.AuthServiceCompleteSingleSignOnProcedure:    public,
	wegweiserv1connect.AuthServiceGetAuthConfigProcedure:           public,
	wegweiserv1connect.AuthServiceVerifyEmailProcedure:             public,
	wegweiserv1connect.AuthServiceRequestPasswordResetProcedure:    public,
	wegweiserv1connect.AuthServiceResetPasswordProcedure:           public,
	wegweiserv1connect.AuthServiceResendVerificationEmailProcedure: authenticated,

	wegweiserv1connect.TenantServiceGetTenantProcedure:          need(TenantRead),
	wegweiserv1connect.TenantServiceUpdateTenantProcedure:       need(TenantWrite),
	wegweiserv1connect.TenantServiceCreateOrganisationProcedure: need(OrganisationWrite),
	wegweiserv1connect.TenantServiceGetOrganisationProcedure:    need(OrganisationRead),
	wegweiserv1connect.TenantServiceListOrganisationsProcedure:  need(OrganisationRead),
	wegweiserv1connect.TenantServiceUpdateOrganisationProcedure: need(OrganisationWrite),
	wegweiserv1connect.TenantServiceDeleteOrganisationProcedure: need(OrganisationWrite),
	wegweiserv1connect.TenantServiceCreateGroupProcedure:        need(GroupWrite),
	wegweiserv1connect.TenantServiceGetGroupProcedure:           need(GroupRead),
	wegweiserv1connect.TenantServiceListGroupsProcedure:         need(GroupRead),
	wegweiserv1connect.TenantServiceUpdateGroupProcedure:        need(GroupWrite),
	wegweiserv1connect.TenantServiceDeleteGroupProcedure:        need(GroupWrite),
	wegweiserv1connect.TenantServiceGetRetentionProcedure:       need(TenantRead),
	wegweiserv1connect.TenantServiceUpdateRetentionProcedure:    need(TenantWrite),
	wegweiserv1connect.TenantServiceUpdateBrandingProcedure:     need(TenantWrite),

	wegweiserv1connect.DeviceServiceListDevicesProcedure:  need(DeviceRead),
	wegweiserv1connect.DeviceServiceGetDeviceProcedure:    need(DeviceRead),
	wegweiserv1connect.DeviceServiceMoveDeviceProcedure:   need(DeviceWrite),
	wegweiserv1connect.DeviceServiceTagDevicesProcedure:   need(DeviceWrite),
	wegweiserv1connect.DeviceServiceDeleteDeviceProcedure: need(DeviceDelete),

	wegweiserv1connect.UserServiceInviteUserProcedure:     need(UserManage),
	wegweiserv1connect.UserServiceListUsersProcedure:      need(UserRead),
	wegweiserv1connect.UserServiceChangeUserRoleProcedure: need(UserManage),
	wegweiserv1connect.UserServiceDisableUserProcedure:    need(UserManage),
	wegweiserv1connect.UserServiceEnableUserProcedure:     need(UserManage),

	wegweiserv1connect.EnrolmentServiceCreateEnrolmentKeyProcedure: need(EnrolmentManage),
	wegweiserv1connect.EnrolmentServiceListEnrolmentKeysProcedure:  need(EnrolmentManage),
	wegweiserv1connect.EnrolmentServiceRevokeEnrolmentKeyProcedure: need(EnrolmentManage),
	wegweiserv1connect.EnrolmentServiceRevokeDeviceTokenProcedure:  need(EnrolmentManage),

	wegweiserv1connect.InventoryServiceGetDeviceInventoryProcedure:  need(DeviceRead),
	wegweiserv1connect.InventoryServiceListDeviceSoftwareProcedure:  need(DeviceRead),
	wegweiserv1connect.InventoryServiceListDeviceEventLogsProcedure: need(DeviceRead),
	wegweiserv1connect.InventoryServiceListSoftwareProcedure:        need(DeviceRead),

	wegweiserv1connect.HealthServiceGetHealthProcedure:              need(DeviceRead),
	wegweiserv1connect.HealthServiceListFindingsProcedure:           need(DeviceRead),
	wegweiserv1connect.HealthServiceGetHistoryProcedure:             need(DeviceRead),
	wegweiserv1connect.HealthServiceExplainChangeProcedure:          need(DeviceRead),
	wegweiserv1connect.HealthServiceListWorstDevicesProcedure:       need(DeviceRead),
	wegweiserv1connect.HealthServiceListChecksProcedure:             need(DeviceRead),
	wegweiserv1connect.HealthServiceGetScoringModelProcedure:        need(DeviceRead),
	wegweiserv1connect.HealthServiceListOrganisationHealthProcedure: need(OrganisationRead),
	wegweiserv1connect.HealthServiceListCheckSummariesProcedure:     need(DeviceRead),
	wegweiserv1connect.HealthServiceRecomputeProcedure:              need(DeviceWrite),

	wegweiserv1connect.PolicyServiceListPoliciesProcedure:       need(PolicyRead),
	wegweiserv1connect.PolicyServiceGetEffectivePolicyProcedure: need(PolicyRead),
	wegweiserv1connect.PolicyServiceSetOverrideProcedure:        need(PolicyManage),
	wegweiserv1connect.PolicyServiceDeleteOverrideProcedure:     need(PolicyManage),
	wegweiserv1connect.PolicyServiceSetGuidanceProcedure:        need(PolicyManage),
	wegweiserv1connect.PolicyServiceListPolicyAuditProcedure:    need(PolicyRead),

	// Every member has a message centre; what it lists follows their scope.
	wegweiserv1connect.AlertServiceListNotificationsProcedure:     authenticated,
	wegweiserv1connect.AlertServiceMarkNotificationsReadProcedure: authenticated,
	wegweiserv1connect.AlertServiceCreateWebhookProcedure:         need(AlertManage),
	wegweiserv1connect.AlertServiceListWebhooksProcedure:          need(AlertManage),
	wegweiserv1connect.AlertServiceDeleteWebhookProcedure:         need(AlertManage),
	wegweiserv1connect.AlertServiceSendTestWebhookProcedure:       need(AlertManage),
	wegweiserv1connect.AlertServiceListWebhookDeliveriesProcedure: need(AlertManage),

	// Enroll presents an enrolment key instead of a token.
	agentv1connect.AgentServiceEnrollProcedure:                {Public: true, EnrolmentKey: true},
	agentv1connect.AgentServiceHeartbeatProcedure:             agent,
	agentv1connect.AgentServiceSubmitSnapshotProcedure:        agent,
	agentv1connect.AgentServiceGetConfigProcedure:             agent,
	wegweiserv1connect.ChatServiceCreateConversationProcedure: need(AIUse),
	wegweiserv1connect.ChatServiceListConversationsProcedure:  need(AIUse),
	wegweiserv1connect.ChatServiceGetConversationProcedure:    need(AIUse),
	wegweiserv1connect.ChatServiceRenameConversationProcedure: need(AIUse),
	wegweiserv1connect.ChatServiceDeleteConversationProcedure: need(AIUse),
	wegweiserv1connect.ChatServiceSendMessageProcedure:        need(AIUse),
	wegweiserv1connect.ChatServiceSubmitFeedbackProcedure:     need(AIUse),
	wegweiserv1connect.AIServiceGetAISettingsProcedure:        need(AIUse),
	wegweiserv1connect.AIServiceUpdateAISettingsProcedure:     need(AIManage),
	wegweiserv1connect.AIServiceTestAISettingsProcedure:       need(AIManage),
	wegweiserv1connect.AIServiceGetAIUsageProcedure:           need(AIManage),
	wegweiserv1connect.AIServiceListMemoriesProcedure:         need(AIUse),
	wegweiserv1connect.AIServiceCreateMemoryProcedure:         need(AIWrite),
	wegweiserv1connect.AIServiceDeleteMemoryProcedure:         need(AIWrite),
	wegweiserv1connect.AIServiceGetNarrativeProcedure:         need(AIUse),
	wegweiserv1connect.AIServiceRefreshNarrativeProcedure:     need(AIWrite),
	wegweiserv1connect.AIServiceGetDiscoveryReportProcedure:   need(AIUse),

	wegweiserv1connect.DeviceServiceStartBulkOperationProcedure: need(DeviceWrite),
	wegweiserv1connect.DeviceServiceGetBulkOperationProcedure:   need(DeviceRead),
	wegweiserv1connect.DeviceServiceListBulkOperationsProcedure: need(DeviceRead),

	wegweiserv1connect.EnrolmentServiceGetAgentDistributionProcedure: need(EnrolmentManage),

	wegweiserv1connect.OnboardingServiceGetChecklistProcedure:     need(TenantRead),
	wegweiserv1connect.OnboardingServiceDismissChecklistProcedure: need(OnboardingManage),
	wegweiserv1connect.OnboardingServiceListSeenToursProcedure:    authenticated,
	wegweiserv1connect.OnboardingServiceMarkTourSeenProcedure:     authenticated,

	wegweiserv1connect.TransferServiceGetImportTemplateProcedure: need(TransferImport),
	wegweiserv1connect.TransferServicePreviewImportProcedure:     need(TransferImport),
	wegweiserv1connect.TransferServiceCommitImportProcedure:      need(TransferImport),
	wegweiserv1connect.TransferServiceExportProcedure:            need(TransferExport),

	wegweiserv1connect.ReportServiceRenderReportProcedure:         need(ReportRead),
	wegweiserv1connect.ReportServiceCreateReportScheduleProcedure: need(ReportManage),
	wegweiserv1connect.ReportServiceListReportSchedulesProcedure:  need(ReportManage),
	wegweiserv1connect.ReportServiceDeleteReportScheduleProcedure: need(ReportManage),
	wegweiserv1connect.ReportServiceSendReportProcedure:           need(ReportManage),

	wegweiserv1connect.SecurityServiceListFactorsProcedure:               own,
	wegweiserv1connect.SecurityServiceBeginPasskeyRegistrationProcedure:  own,
	wegweiserv1connect.SecurityServiceFinishPasskeyRegistrationProcedure: own,
	wegweiserv1connect.SecurityServiceRenamePasskeyProcedure:             own,
	wegweiserv1connect.SecurityServiceDeletePasskeyProcedure:             own,
	wegweiserv1connect.SecurityServiceBeginTotpEnrollmentProcedure:       own,
	wegweiserv1connect.SecurityServiceConfirmTotpEnrollmentProcedure:     own,
	wegweiserv1connect.SecurityServiceDisableTotpProcedure:               own,
	wegweiserv1connect.SecurityServiceRegenerateRecoveryCodesProcedure:   own,
	wegweiserv1connect.SecurityServiceBeginReauthenticationProcedure:     own,
	wegweiserv1connect.SecurityServiceReauthenticateProcedure:            own,
	wegweiserv1connect.SecurityServiceListSessionsProcedure:              own,
	wegweiserv1connect.SecurityServiceRevokeSessionProcedure:             own,
	wegweiserv1connect.SecurityServiceRevokeAllSessionsProcedure:         own,
	wegweiserv1connect.SecurityServiceGetSecurityPolicyProcedure:         own,
	wegweiserv1connect.SecurityServiceUpdateSecurityPolicyProcedure:      {Permission: SecurityManage, SessionOnly: true},

	wegweiserv1connect.SingleSignOnServiceGetSingleSignOnConfigProcedure:    {Permission: SSOManage, SessionOnly: true},
	wegweiserv1connect.SingleSignOnServiceUpdateSingleSignOnConfigProcedure: {Permission: SSOManage, SessionOnly: true},
	wegweiserv1connect.SingleSignOnServiceDeleteSingleSignOnConfigProcedure: {Permission: SSOManage, SessionOnly: true},

	wegweiserv1connect.APIKeyServiceCreateAPIKeyProcedure: {Permission: APIKeyManage, SessionOnly: true},
	wegweiserv1connect.APIKeyServiceListAPIKeysProcedure:  {Permission: APIKeyManage, SessionOnly: true},
	wegweiserv1connect.APIKeyServiceRevokeAPIKeyProcedure: {Permission: APIKeyManage, SessionOnly: true},

	wegweiserv1connect.AuditServiceListAuditEventsProcedure:   need(AuditRead),
	wegweiserv1connect.AuditServiceExportAuditEventsProcedure: need(AuditRead),
}
