import { Link } from "react-router";
import { AuthCard } from "../features/auth/AuthCard";
import { ForgotPasswordForm } from "../features/auth/PasswordResetForms";

/** /forgot-password */
export default function ForgotPasswordRoute() {
  return (
    <AuthCard
      title="Forgot your password?"
      intro="Enter your email address and we will mail you a link to choose a new password."
      footer={
        <>
          Remembered it? <Link to="/login">Sign in</Link>
        </>
      }
    >
      <ForgotPasswordForm />
    </AuthCard>
  );
}
