import { lazy, Suspense, type ComponentType } from "react";
import type { RouteObject } from "react-router";
import { Loading } from "../components/Feedback";
import { RouteError } from "./RouteError";
import { SignedInLayout } from "./SignedInLayout";

// Every page is its own chunk; the shell above stays in the main bundle.
const Login = lazy(() => import("../routes/login"));
const SignUp = lazy(() => import("../routes/signup"));
const AcceptInvitation = lazy(() => import("../routes/accept-invitation"));
const ForgotPassword = lazy(() => import("../routes/forgot-password"));
const ResetPassword = lazy(() => import("../routes/reset-password"));
const VerifyEmail = lazy(() => import("../routes/verify-email"));
const Overview = lazy(() => import("../routes/overview"));
const Organisations = lazy(() => import("../routes/organisations"));
const Organisation = lazy(() => import("../routes/organisation"));
const Group = lazy(() => import("../routes/group"));
const Devices = lazy(() => import("../routes/devices"));
const Device = lazy(() => import("../routes/device"));
const Software = lazy(() => import("../routes/software"));
const Checks = lazy(() => import("../routes/checks"));
const Enrolment = lazy(() => import("../routes/enrolment"));
const Users = lazy(() => import("../routes/users"));
const Transfer = lazy(() => import("../routes/transfer"));
const Notifications = lazy(() => import("../routes/notifications"));
const Policy = lazy(() => import("../routes/policy"));
const Webhooks = lazy(() => import("../routes/webhooks"));
const Settings = lazy(() => import("../routes/settings"));
const AISettings = lazy(() => import("../routes/ai-settings"));
const Discovery = lazy(() => import("../routes/discovery"));
const Report = lazy(() => import("../routes/report"));
const Security = lazy(() => import("../routes/security"));
const SSOSettings = lazy(() => import("../routes/sso-settings"));
const LoginSSO = lazy(() => import("../routes/login-sso"));
const APIKeys = lazy(() => import("../routes/api-keys"));
const Audit = lazy(() => import("../routes/audit"));
const Branding = lazy(() => import("../routes/branding"));
const NotFound = lazy(() => import("../routes/not-found"));

function standalone(Page: ComponentType) {
  return (
    <Suspense
      fallback={
        <div className="fullscreen-center">
          <Loading />
        </div>
      }
    >
      <Page />
    </Suspense>
  );
}

/** routes is the SPA's route table, shared by the browser and by tests. */
export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    children: [
      { path: "/login", element: standalone(Login) },
      { path: "/login/sso", element: standalone(LoginSSO) },
      { path: "/signup", element: standalone(SignUp) },
      { path: "/accept-invitation", element: standalone(AcceptInvitation) },
      { path: "/forgot-password", element: standalone(ForgotPassword) },
      { path: "/reset-password", element: standalone(ResetPassword) },
      { path: "/verify-email", element: standalone(VerifyEmail) },
      {
        path: "/",
        element: <SignedInLayout />,
        children: [
          { index: true, element: <Overview /> },
          { path: "organisations", element: <Organisations /> },
          { path: "organisations/:id", element: <Organisation /> },
          { path: "organisations/:id/discovery", element: <Discovery /> },
          { path: "organisations/:id/report", element: <Report /> },
          { path: "groups/:id", element: <Group /> },
          { path: "devices", element: <Devices /> },
          { path: "devices/:id", element: <Device /> },
          { path: "software", element: <Software /> },
          { path: "checks", element: <Checks /> },
          { path: "enrolment", element: <Enrolment /> },
          { path: "users", element: <Users /> },
          { path: "transfer", element: <Transfer /> },
          { path: "notifications", element: <Notifications /> },
          { path: "policy", element: <Policy /> },
          { path: "webhooks", element: <Webhooks /> },
          { path: "settings", element: <Settings /> },
          { path: "settings/ai", element: <AISettings /> },
          { path: "settings/security", element: <Security /> },
          { path: "settings/sso", element: <SSOSettings /> },
          { path: "settings/api-keys", element: <APIKeys /> },
          { path: "settings/branding", element: <Branding /> },
          { path: "audit", element: <Audit /> },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];
