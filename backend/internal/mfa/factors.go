package mfa

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/passkey"
	"github.com/wegweiser/wegweiser/ent/recoverycode"
	"github.com/wegweiser/wegweiser/ent/session"
	"github.com/wegweiser/wegweiser/ent/totpsecret"
	"github.com/wegweiser/wegweiser/ent/viewer"
	"github.com/wegweiser/wegweiser/ent/webauthnchallenge"
)

// Factors describes the caller's second factors.
type Factors struct {
	Passkeys          []*ent.Passkey
	TotpEnabled       bool
	RecoveryCodesLeft int
	// TenantRequires: the caller's tenant requires a second factor.
	TenantRequires bool
	// RecentUntil is until when factor changes are allowed (zero: not).
	RecentUntil time.Time
	HasPassword bool
}

// ListFactors describes the caller's factors.
func (s *Service) ListFactors(ctx context.Context) (*Factors, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	f := &Factors{}
	if f.Passkeys, err = s.st.Ent.Passkey.Query().Where(passkey.UserID(v.UserID)).Order(ent.Asc(passkey.FieldCreatedAt)).All(ctx); err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	if f.TotpEnabled, err = s.st.Ent.TotpSecret.Query().Where(totpsecret.UserID(v.UserID), totpsecret.ConfirmedAtNotNil()).Exist(ctx); err != nil {
		return nil, fmt.Errorf("find authenticator app: %w", err)
	}
	if f.RecoveryCodesLeft, err = s.st.Ent.RecoveryCode.Query().Where(recoverycode.UserID(v.UserID), recoverycode.UsedAtIsNil()).Count(ctx); err != nil {
		return nil, fmt.Errorf("count recovery codes: %w", err)
	}
	if f.TenantRequires, err = s.tenantRequires(ctx, v); err != nil {
		return nil, err
	}
	if f.RecentUntil, err = s.recentUntil(ctx, v); err != nil {
		return nil, err
	}
	u, err := s.st.Ent.User.Get(ctx, v.UserID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "user")
	}
	f.HasPassword = u.PasswordHash != ""
	return f, nil
}

// BeginPasskeyRegistration returns creation options (the publicKey member
// as JSON) and the id of the challenge bound to the caller's session.
func (s *Service) BeginPasskeyRegistration(ctx context.Context) (uuid.UUID, []byte, error) {
	v, err := me(ctx)
	if err != nil {
		return uuid.Nil, nil, err
	}
	if err := s.passkeysOn(); err != nil {
		return uuid.Nil, nil, err
	}
	if err := s.requireRecent(ctx, v); err != nil {
		return uuid.Nil, nil, err
	}
	wu, _, err := s.loadUser(ctx, v.UserID)
	if err != nil {
		return uuid.Nil, nil, err
	}
	excl := make([]protocol.CredentialDescriptor, 0, len(wu.creds))
	for _, c := range wu.creds {
		excl = append(excl, c.Descriptor())
	}
	creation, sd, err := s.wa.BeginRegistration(wu,
		webauthn.WithExclusions(excl),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: protocol.VerificationRequired,
		}),
	)
	if err != nil {
		return uuid.Nil, nil, fmt.Errorf("begin registration: %w", err)
	}
	id, err := s.storeChallenge(ctx, binding{purpose: webauthnchallenge.PurposeRegister, userID: v.UserID, sessionID: v.SessionID}, sd)
	if err != nil {
		return uuid.Nil, nil, err
	}
	opts, err := jsonOf(creation.Response)
	return id, opts, err
}

func passkeyName(field, name string) (string, error) {
	name, err := validate.Name(field, name)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(name) > 100 {
		return "", apperr.Invalid(field, "must be at most 100 characters")
	}
	return name, nil
}

// FinishPasskeyRegistration verifies the attestation and stores the
// passkey; the first second factor also returns recovery codes.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, challengeIDIn, nameIn, credentialJSON string) (*ent.Passkey, []string, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, nil, err
	}
	challengeID, err := validate.ID("challenge_id", challengeIDIn)
	if err != nil {
		return nil, nil, err
	}
	name, err := passkeyName("name", nameIn)
	if err != nil {
		return nil, nil, err
	}
	if credentialJSON == "" {
		return nil, nil, apperr.Invalid("credential_json", "must not be empty")
	}
	if err := s.requireRecent(ctx, v); err != nil {
		return nil, nil, err
	}
	sd, err := s.consumeChallenge(ctx, challengeID, binding{purpose: webauthnchallenge.PurposeRegister, userID: v.UserID, sessionID: v.SessionID})
	if err != nil {
		return nil, nil, err
	}
	if err := s.passkeysOn(); err != nil {
		return nil, nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(credentialJSON))
	if err != nil {
		return nil, nil, apperr.Invalid("credential_json", "is not a WebAuthn credential: %s", protocolDetail(err))
	}
	wu, _, err := s.loadUser(ctx, v.UserID)
	if err != nil {
		return nil, nil, err
	}
	cred, err := s.wa.CreateCredential(wu, *sd, parsed)
	if err != nil {
		return nil, nil, apperr.Unauthenticated("the passkey was not accepted: %s", protocolDetail(err))
	}
	transports := make([]string, len(cred.Transport))
	for i, t := range cred.Transport {
		transports[i] = string(t)
	}
	var pk *ent.Passkey
	var codes []string
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		pk, err = tx.Passkey.Create().SetUserID(v.UserID).SetCredentialID(cred.ID).SetPublicKey(cred.PublicKey).
			SetSignCount(cred.Authenticator.SignCount).SetAaguid(cred.Authenticator.AAGUID).SetTransports(transports).
			SetAttestationType(validate.Clip(cred.AttestationType, 64)).
			SetBackupEligible(cred.Flags.BackupEligible).SetBackupState(cred.Flags.BackupState).
			SetUserVerified(cred.Flags.UserVerified).SetName(name).SetCreatedAt(s.now()).Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.AlreadyExists("this passkey is already registered")
		}
		if err != nil {
			return fmt.Errorf("store passkey: %w", err)
		}
		if codes, err = s.firstFactorCodes(ctx, tx, v.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.PasskeyAdd, TargetKind: "passkey", TargetID: pk.ID, TargetName: name})
	})
	if err != nil {
		return nil, nil, err
	}
	if err := s.factorAdded(ctx, v.UserID); err != nil {
		return nil, nil, err
	}
	return pk, codes, nil
}

// RenamePasskey renames one of the caller's passkeys.
func (s *Service) RenamePasskey(ctx context.Context, idIn, nameIn string) (*ent.Passkey, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	id, err := validate.ID("passkey_id", idIn)
	if err != nil {
		return nil, err
	}
	name, err := passkeyName("name", nameIn)
	if err != nil {
		return nil, err
	}
	var pk *ent.Passkey
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		n, err := tx.Passkey.Update().Where(passkey.ID(id), passkey.UserID(v.UserID)).SetName(name).Save(ctx)
		if err != nil {
			return fmt.Errorf("rename passkey: %w", err)
		}
		if n == 0 {
			return apperr.NotFound("passkey")
		}
		if pk, err = tx.Passkey.Get(ctx, id); err != nil {
			return fmt.Errorf("read passkey: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.PasskeyRename, TargetKind: "passkey", TargetID: id, TargetName: name})
	})
	return pk, err
}

// DeletePasskey removes one of the caller's passkeys (not the last second
// factor while the tenant requires one).
func (s *Service) DeletePasskey(ctx context.Context, idIn string) error {
	v, err := me(ctx)
	if err != nil {
		return err
	}
	id, err := validate.ID("passkey_id", idIn)
	if err != nil {
		return err
	}
	pk, err := s.st.Ent.Passkey.Query().Where(passkey.ID(id), passkey.UserID(v.UserID)).Only(ctx)
	if err != nil {
		return apperr.NotFoundIf(err, "passkey")
	}
	if err := s.requireRecent(ctx, v); err != nil {
		return err
	}
	return s.removeFactor(ctx, v, func(tx *store.Tx) error {
		if err := tx.Passkey.DeleteOneID(pk.ID).Exec(ctx); err != nil {
			return apperr.NotFoundIf(err, "passkey")
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.PasskeyRemove, TargetKind: "passkey", TargetID: pk.ID, TargetName: pk.Name})
	})
}

// removeFactor runs del in a transaction and refuses when afterwards the
// caller has no second factor while their tenant requires one; without
// factors the recovery codes go too.
func (s *Service) removeFactor(ctx context.Context, v *viewer.Viewer, del func(tx *store.Tx) error) error {
	requires, err := s.tenantRequires(ctx, v)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := del(tx); err != nil {
			return err
		}
		left, err := tx.Passkey.Query().Where(passkey.UserID(v.UserID)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("count passkeys: %w", err)
		}
		if !left {
			if left, err = tx.TotpSecret.Query().Where(totpsecret.UserID(v.UserID), totpsecret.ConfirmedAtNotNil()).Exist(ctx); err != nil {
				return fmt.Errorf("find authenticator app: %w", err)
			}
		}
		if left {
			return nil
		}
		if requires {
			return apperr.FailedPrecondition("your organisation requires a second factor: add another one before removing this one")
		}
		if _, err := tx.RecoveryCode.Delete().Where(recoverycode.UserID(v.UserID)).Exec(ctx); err != nil {
			return fmt.Errorf("delete recovery codes: %w", err)
		}
		return nil
	})
}

// firstFactorCodes makes recovery codes when the user has none left (the
// first second factor).
func (s *Service) firstFactorCodes(ctx context.Context, tx *store.Tx, userID uuid.UUID) ([]string, error) {
	has, err := tx.RecoveryCode.Query().Where(recoverycode.UserID(userID), recoverycode.UsedAtIsNil()).Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("find recovery codes: %w", err)
	}
	if has {
		return nil, nil
	}
	return s.newCodes(ctx, tx, userID)
}

// newCodes replaces the user's recovery codes with RecoveryCodes new ones.
func (s *Service) newCodes(ctx context.Context, tx *store.Tx, userID uuid.UUID) ([]string, error) {
	if _, err := tx.RecoveryCode.Delete().Where(recoverycode.UserID(userID)).Exec(ctx); err != nil {
		return nil, fmt.Errorf("delete recovery codes: %w", err)
	}
	codes := make([]string, RecoveryCodes)
	now := s.now()
	for i := range codes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		raw := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
		codes[i] = raw[:5] + "-" + raw[5:]
		if err := tx.RecoveryCode.Create().SetUserID(userID).SetCodeHash(identity.HashToken(normCode(codes[i]))).SetCreatedAt(now).Exec(ctx); err != nil {
			return nil, fmt.Errorf("store recovery code: %w", err)
		}
	}
	return codes, nil
}

// normCode is a recovery code as hashed: lower case without separators.
func normCode(c string) string {
	c = strings.ToLower(c)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, c)
}

// RegenerateRecoveryCodes replaces the caller's recovery codes.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context) ([]string, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.requireRecent(ctx, v); err != nil {
		return nil, err
	}
	kinds, err := s.Kinds(ctx, v.UserID)
	if err != nil {
		return nil, err
	}
	if len(kinds) == 0 {
		return nil, apperr.FailedPrecondition("set up a passkey or an authenticator app first")
	}
	var codes []string
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if codes, err = s.newCodes(ctx, tx, v.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.RecoveryCodesRegenerate, TargetKind: "user", TargetID: v.UserID})
	})
	return codes, err
}

// factorAdded clears the setup flag on the user's sessions (in every
// tenant) now that a second factor exists.
func (s *Service) factorAdded(ctx context.Context, userID uuid.UUID) error {
	sctx := bypass.Allow(ctx, "mfa: clear the factor-setup flag on the user's sessions in every tenant")
	if _, err := s.st.Ent.Session.Update().Where(session.UserID(userID), session.FactorSetupPending(true)).
		SetFactorSetupPending(false).Save(sctx); err != nil {
		return fmt.Errorf("clear factor setup: %w", err)
	}
	s.ids.InvalidateUser(ctx, userID)
	return nil
}

// Reauth is what BeginReauthentication offers: the caller's ways to confirm
// it is them (a passkey challenge with passkeys, password, authenticator
// app).
type Reauth struct {
	ChallengeID uuid.UUID
	OptionsJSON []byte
	Password    bool
	Totp        bool
}

// BeginReauthentication returns the ways the caller can re-authenticate.
func (s *Service) BeginReauthentication(ctx context.Context) (*Reauth, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	wu, _, err := s.loadUser(ctx, v.UserID)
	if err != nil {
		return nil, err
	}
	r := &Reauth{}
	if len(wu.creds) > 0 && s.wa != nil {
		assertion, sd, err := s.wa.BeginLogin(wu, webauthn.WithUserVerification(protocol.VerificationPreferred))
		if err != nil {
			return nil, fmt.Errorf("begin passkey: %w", err)
		}
		if r.ChallengeID, err = s.storeChallenge(ctx, binding{purpose: webauthnchallenge.PurposeReauth, userID: v.UserID, sessionID: v.SessionID}, sd); err != nil {
			return nil, err
		}
		if r.OptionsJSON, err = jsonOf(assertion.Response); err != nil {
			return nil, err
		}
	}
	u, err := s.st.Ent.User.Get(ctx, v.UserID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "user")
	}
	r.Password = u.PasswordHash != ""
	if r.Totp, err = s.st.Ent.TotpSecret.Query().Where(totpsecret.UserID(v.UserID), totpsecret.ConfirmedAtNotNil()).Exist(ctx); err != nil {
		return nil, fmt.Errorf("find authenticator app: %w", err)
	}
	return r, nil
}

// ReauthProof is one way to re-authenticate; exactly one field is set.
type ReauthProof struct {
	Password, TotpCode, PasskeyAssertionJSON string
	ChallengeID                              string
}

// Reauthenticate confirms the caller and marks the session as recently
// signed in; a wrong answer is unauthenticated and throttled like a login.
func (s *Service) Reauthenticate(ctx context.Context, p ReauthProof, addr string) (time.Time, error) {
	v, err := me(ctx)
	if err != nil {
		return time.Time{}, err
	}
	u, err := s.st.Ent.User.Get(ctx, v.UserID)
	if err != nil {
		return time.Time{}, apperr.NotFoundIf(err, "user")
	}
	if err := s.ids.AdmitSignIn(ctx, u.Email, addr); err != nil {
		return time.Time{}, err
	}
	var ok bool
	var method string
	switch {
	case p.Password != "":
		method = "password"
		if ok, err = s.ids.CheckPassword(ctx, v.UserID, p.Password); err != nil {
			return time.Time{}, err
		}
	case p.TotpCode != "":
		method = "totp"
		if ok, err = s.checkTotp(ctx, v.UserID, p.TotpCode); err != nil {
			return time.Time{}, err
		}
	case p.PasskeyAssertionJSON != "":
		method = "passkey"
		cid, err := validate.ID("challenge_id", p.ChallengeID)
		if err != nil {
			return time.Time{}, err
		}
		sd, err := s.consumeChallenge(ctx, cid, binding{purpose: webauthnchallenge.PurposeReauth, userID: v.UserID, sessionID: v.SessionID})
		if err != nil {
			return time.Time{}, err
		}
		if err := s.passkeysOn(); err != nil {
			return time.Time{}, err
		}
		ok, err = s.checkAssertion(ctx, v.UserID, sd, p.PasskeyAssertionJSON)
		if err != nil {
			return time.Time{}, err
		}
	default:
		return time.Time{}, apperr.Invalid("proof", "give a password, a TOTP code or a passkey assertion")
	}
	if !ok {
		s.ids.CountSignInFailure(ctx, u.Email, addr)
		return time.Time{}, apperr.Unauthenticated("that did not confirm it is you")
	}
	now := s.now()
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Session.UpdateOneID(v.SessionID).SetAuthenticatedAt(now).Exec(ctx); err != nil {
			return apperr.NotFoundIf(err, "session")
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.Reauthenticate, TargetKind: "user", TargetID: v.UserID, TargetName: u.Email, Detail: "method=" + method})
	})
	if err != nil {
		return time.Time{}, err
	}
	s.ids.InvalidateSession(ctx, v.SessionID)
	return now.Add(RecentSignIn), nil
}
