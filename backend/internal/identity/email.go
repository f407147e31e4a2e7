package identity

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/user"
)

// Lifetimes of mailed tokens. Tokens are single-use; only their SHA-256 is
// stored, and a new request replaces the pending token of its kind.
const (
	VerifyTokenTTL = 48 * time.Hour
	ResetTokenTTL  = time.Hour
)

// Register is public sign-up. It answers the same whether or not the email
// has an account, so it cannot be used to find out who is registered: a
// new email gets a tenant with an unverified owner and a verification
// mail; a registered one gets a mail saying so. Unverified owners may log
// in (the dashboard asks them to verify); invitations and password resets
// always go by mail and verify the address when used.
func (s *Service) Register(ctx context.Context, in SignUpInput, addr string) error {
	if s.signUpClosed {
		return apperr.PermissionDenied("public sign-up is turned off on this server; ask an administrator to invite you")
	}
	if err := admitAddress(ctx, s.limits.AddressMail, "mail-address", addr, "sign-ups and reset requests"); err != nil {
		return err
	}
	v, err := validSignUp(in)
	if err != nil {
		return err
	}
	// Hash in both cases, so the answer takes as long for a registered email.
	hash, err := s.hasher.Hash(ctx, v.password)
	if err != nil {
		return err
	}
	res, err := s.createTenant(ctx, v, hash, false)
	switch {
	case apperr.Is(err, apperr.KindAlreadyExists) || ent.IsConstraintError(err):
		if s.mayMail(ctx, v.email) {
			s.send(ctx, mail.Message{To: v.email, Subject: "You already have a Wegweiser account", Body: fmt.Sprintf(
				"Someone (hopefully you) tried to sign up for Wegweiser with this address, which already has an account.\n\n"+
					"Log in at %s/login\nForgot your password? Reset it at %s/forgot-password\n\n"+
					"If this was not you, you can ignore this mail.\n", s.baseURL, s.baseURL)})
		}
		return nil
	case err != nil:
		return err
	}
	return s.sendVerification(ctx, res.User)
}

// sendVerification stores a fresh verification token for u and mails it.
func (s *Service) sendVerification(ctx context.Context, u *ent.User) error {
	token, hash, err := NewOpaqueToken("wwv_")
	if err != nil {
		return err
	}
	if err := s.st.Ent.User.UpdateOneID(u.ID).SetVerifyTokenHash(hash).SetVerifyExpiresAt(s.now().Add(VerifyTokenTTL)).
		Exec(bypass.Allow(ctx, "identity: store a user's verification token (users belong to no single tenant)")); err != nil {
		return fmt.Errorf("store verification token: %w", err)
	}
	if s.mayMail(ctx, u.Email) {
		s.send(ctx, mail.Message{To: u.Email, Subject: "Confirm your email for Wegweiser", Body: fmt.Sprintf(
			"Welcome to Wegweiser. Confirm that this address is yours:\n\n%s/verify-email?token=%s\n\n"+
				"The link works once, for %d hours. If you did not sign up, ignore this mail.\n",
			s.baseURL, url.QueryEscape(token), int(VerifyTokenTTL.Hours()))})
	}
	return nil
}

// ResendVerification mails a new verification link to the user, unless the
// address is already verified.
func (s *Service) ResendVerification(ctx context.Context, userID uuid.UUID) error {
	sctx := bypass.Allow(ctx, "identity: resend a user's verification mail")
	u, err := s.st.Ent.User.Get(sctx, userID)
	if err != nil {
		return apperr.NotFoundIf(err, "user")
	}
	if u.EmailVerifiedAt != nil {
		return nil
	}
	return s.sendVerification(ctx, u)
}

// VerifyEmail marks the address of the token's user as verified. The
// token works once and expires after VerifyTokenTTL.
func (s *Service) VerifyEmail(ctx context.Context, token, addr string) error {
	if token == "" {
		return apperr.Invalid("verification_token", "must not be empty")
	}
	if err := admitAddress(ctx, s.limits.AddressTokens, "token-address", addr, "token uses"); err != nil {
		return err
	}
	sctx := bypass.Allow(ctx, "identity: find the user of a verification token")
	hash := HashToken(token)
	u, err := s.st.Ent.User.Query().Where(user.VerifyTokenHash(hash)).Only(sctx)
	if ent.IsNotFound(err) {
		return apperr.NotFound("verification link (it may have been used already)")
	}
	if err != nil {
		return fmt.Errorf("find verification token: %w", err)
	}
	now := s.now()
	if u.VerifyExpiresAt == nil || !now.Before(*u.VerifyExpiresAt) {
		return apperr.FailedPrecondition("verification link has expired; log in and ask for a new one")
	}
	n, err := s.st.Ent.User.Update().Where(user.ID(u.ID), user.VerifyTokenHash(hash)).
		SetEmailVerifiedAt(now).ClearVerifyTokenHash().ClearVerifyExpiresAt().Save(sctx)
	if err != nil {
		return fmt.Errorf("verify email: %w", err)
	}
	if n == 0 {
		return apperr.NotFound("verification link (it may have been used already)")
	}
	return nil
}

// RequestPasswordReset mails a reset link when email has an account. It
// answers the same either way.
func (s *Service) RequestPasswordReset(ctx context.Context, emailIn, addr string) error {
	if err := admitAddress(ctx, s.limits.AddressMail, "mail-address", addr, "sign-ups and reset requests"); err != nil {
		return err
	}
	email, err := validate.Email("email", emailIn)
	if err != nil {
		return err
	}
	sctx := bypass.Allow(ctx, "identity: find a user by address for a password reset")
	u, err := s.st.Ent.User.Query().Where(user.Email(email)).Only(sctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	if !s.mayMail(ctx, email) {
		return nil
	}
	token, hash, err := NewOpaqueToken("wwp_")
	if err != nil {
		return err
	}
	if err := s.st.Ent.User.UpdateOneID(u.ID).SetResetTokenHash(hash).SetResetExpiresAt(s.now().Add(ResetTokenTTL)).Exec(sctx); err != nil {
		return fmt.Errorf("store reset token: %w", err)
	}
	s.send(ctx, mail.Message{To: email, Subject: "Reset your Wegweiser password", Body: fmt.Sprintf(
		"Someone (hopefully you) asked to reset the password of your Wegweiser account. Choose a new one here:\n\n"+
			"%s/reset-password?token=%s\n\nThe link works once, for %d minutes. Setting a new password logs you out everywhere.\n"+
			"If this was not you, ignore this mail; your password stays as it is.\n",
		s.baseURL, url.QueryEscape(token), int(ResetTokenTTL.Minutes()))})
	return nil
}

// ResetPassword sets a new password with a mailed reset token, verifies the
// address (the token came to it) and ends every session of the user.
func (s *Service) ResetPassword(ctx context.Context, token, password, addr string) error {
	if token == "" {
		return apperr.Invalid("reset_token", "must not be empty")
	}
	if err := admitAddress(ctx, s.limits.AddressTokens, "token-address", addr, "token uses"); err != nil {
		return err
	}
	if err := validate.Password("password", password); err != nil {
		return err
	}
	sctx := bypass.Allow(ctx, "identity: find the user of a password-reset token")
	hash := HashToken(token)
	u, err := s.st.Ent.User.Query().Where(user.ResetTokenHash(hash)).Only(sctx)
	if ent.IsNotFound(err) {
		return apperr.NotFound("reset link (it may have been used already)")
	}
	if err != nil {
		return fmt.Errorf("find reset token: %w", err)
	}
	now := s.now()
	if u.ResetExpiresAt == nil || !now.Before(*u.ResetExpiresAt) {
		return apperr.FailedPrecondition("reset link has expired; ask for a new one")
	}
	pw, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	err = s.st.Tx(sctx, func(tx *store.Tx) error {
		upd := tx.User.Update().Where(user.ID(u.ID), user.ResetTokenHash(hash)).
			SetPasswordHash(pw).ClearResetTokenHash().ClearResetExpiresAt()
		if u.EmailVerifiedAt == nil {
			upd.SetEmailVerifiedAt(now).ClearVerifyTokenHash().ClearVerifyExpiresAt()
		}
		n, err := upd.Save(sctx)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n == 0 {
			return apperr.NotFound("reset link (it may have been used already)")
		}
		if err := s.revokeAll(sctx, tx, u.ID); err != nil {
			return err
		}
		return recordPasswordReset(ctx, sctx, tx, u)
	})
	if err != nil {
		return err
	}
	s.InvalidateUser(ctx, u.ID)
	s.limits.AccountFailures.Reset(ctx, ratelimit.Key("login-account", u.Email))
	s.log.InfoContext(ctx, "password reset", "user_id", u.ID)
	return nil
}

// MailInvitation mails an invitation link for tenantName to email. The
// token is never shown to the inviting admin: only whoever reads the
// address's mail can accept.
func (s *Service) MailInvitation(ctx context.Context, email, tenantName, token string) {
	if !s.mayMail(ctx, email) {
		return
	}
	s.send(ctx, mail.Message{To: email, Subject: "You are invited to " + oneLine(tenantName) + " on Wegweiser", Body: fmt.Sprintf(
		"You have been invited to join %s on Wegweiser. Accept here:\n\n%s/accept-invitation?token=%s\n\n"+
			"The link works once, for %d days. If you did not expect this, ignore this mail.\n",
		oneLine(tenantName), s.baseURL, url.QueryEscape(token), int(InvitationTTL.Hours()/24))})
}

// send delivers m in the background: the answer to the caller must not
// depend on whether (or how fast) a mail went out.
func (s *Service) send(ctx context.Context, m mail.Message) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := s.mail.Send(ctx, m); err != nil {
			s.log.WarnContext(ctx, "sending mail failed", "subject", m.Subject, "err", err)
		}
	}()
}

func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}

// EmailVerified reports whether the user has proved control of the email.
func (s *Service) EmailVerified(ctx context.Context, userID uuid.UUID) (bool, error) {
	u, err := s.st.Ent.User.Get(bypass.Allow(ctx, "identity: read whether a user's address is verified"), userID)
	if err != nil {
		return false, apperr.NotFoundIf(err, "user")
	}
	return u.EmailVerifiedAt != nil, nil
}

// recordPasswordReset audits a password reset of u in every tenant u is a
// member of (sctx may read u's memberships across tenants), in tx.
func recordPasswordReset(ctx, sctx context.Context, tx *store.Tx, u *ent.User) error {
	ms, err := tx.Membership.Query().Where(membership.UserID(u.ID), membership.AcceptedAtNotNil()).All(sctx)
	if err != nil {
		return fmt.Errorf("find the user's tenants: %w", err)
	}
	for _, m := range ms {
		if err := audit.RecordFor(ctx, tx.Client, m.TenantID, audit.Actor{ID: u.ID, Name: u.Email}, audit.Event{
			Action: audit.PasswordReset, TargetKind: "user", TargetID: u.ID, TargetName: u.Email,
		}); err != nil {
			return err
		}
	}
	return nil
}
