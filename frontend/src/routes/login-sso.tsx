import { SSOCallback } from "../features/sso/SSOCallback";

/** /login/sso: where the single sign-on callback lands with a one-time code. */
export default function Route() {
  return <SSOCallback />;
}
