/** ACTION_CATEGORIES are the action filters the page offers, by action prefix. */
export const ACTION_CATEGORIES = [
  { prefix: "auth.", label: "Sign-ins" },
  { prefix: "factor.", label: "Second factors" },
  { prefix: "user.", label: "Members" },
  { prefix: "apikey.", label: "API keys" },
  { prefix: "sso.", label: "Single sign-on" },
  { prefix: "policy.", label: "Policy" },
  { prefix: "device.", label: "Devices" },
] as const;

/** ACTION_WORDS say what each recorded action (backend/internal/audit) means. */
const ACTION_WORDS: Record<string, string> = {
  "auth.login": "Signed in",
  "auth.login_failed": "Failed sign-in",
  "auth.logout": "Signed out",
  "auth.session_revoke": "Ended a session",
  "auth.password_reset": "Reset the password",
  "auth.reauthenticate": "Confirmed identity",
  "factor.passkey_add": "Added a passkey",
  "factor.passkey_remove": "Removed a passkey",
  "factor.passkey_rename": "Renamed a passkey",
  "factor.totp_enable": "Turned on the authenticator app",
  "factor.totp_disable": "Turned off the authenticator app",
  "factor.recovery_codes_regenerate": "Made new recovery codes",
  "factor.recovery_code_use": "Used a recovery code",
  "user.invite": "Invited a member",
  "user.accept_invitation": "Accepted the invitation",
  "user.role_change": "Changed a role",
  "user.disable": "Disabled a member",
  "user.enable": "Enabled a member",
  "user.join_sso": "Joined through single sign-on",
  "apikey.create": "Created an API key",
  "apikey.revoke": "Revoked an API key",
  "apikey.use": "Used an API key",
  "sso.config_update": "Changed single sign-on",
  "sso.config_delete": "Removed single sign-on",
  "security.policy_change": "Changed the sign-in policy",
  "policy.change": "Changed the health policy",
  "tenant.retention_change": "Changed retention",
  "tenant.update": "Renamed the tenant",
  "tenant.branding_update": "Changed the branding",
  "device.move": "Moved a device",
  "device.delete": "Deleted a device",
  "device.retire": "Retired a device",
  "group.delete": "Deleted a group",
  "organisation.delete": "Deleted an organisation",
  "transfer.import": "Imported a CSV file",
};

/** actionWords says an action in words; unknown actions are shown as recorded. */
export function actionWords(action: string): string {
  return ACTION_WORDS[action] ?? action;
}

/**
 * shortUserAgent names the browser or client of a User-Agent in a few words
 * ("Firefox 133 on Windows", "curl 8.5"); the full text goes in a tooltip.
 */
export function shortUserAgent(ua: string): string {
  if (!ua) return "";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X|Macintosh/.test(ua)
        ? "macOS"
        : /Android/.test(ua)
          ? "Android"
          : /Linux/.test(ua)
            ? "Linux"
            : "";
  const browsers: [RegExp, string][] = [
    [/Edg\/(\d+)/, "Edge"],
    [/Firefox\/(\d+)/, "Firefox"],
    [/Chrome\/(\d+)/, "Chrome"],
    [/Version\/(\d+)[^ ]* .*Safari\//, "Safari"],
  ];
  for (const [re, name] of browsers) {
    const m = re.exec(ua);
    if (m) return `${name} ${m[1]}${os ? ` on ${os}` : ""}`;
  }
  const first = ua.split(/\s+/)[0] ?? ua;
  const short = first.replace("/", " ");
  return short.length > 40 ? `${short.slice(0, 39)}…` : short;
}
