package mfa

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/totpsecret"
)

// totpPeriod is the TOTP time step; codes of the step before and after are
// accepted too (clock drift), each step once.
const totpPeriod = 30

// TotpEnrollment is a pending authenticator-app secret.
type TotpEnrollment struct {
	ID         uuid.UUID
	Secret     string
	OtpauthURL string
	QRPNG      []byte
}

// BeginTotpEnrollment creates a pending TOTP secret for the caller.
func (s *Service) BeginTotpEnrollment(ctx context.Context) (*TotpEnrollment, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.requireRecent(ctx, v); err != nil {
		return nil, err
	}
	u, err := s.st.Ent.User.Get(ctx, v.UserID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "user")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: u.Email, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("generate TOTP secret: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("TOTP QR code: %w", err)
	}
	id := uuid.New()
	sealed, err := s.box.Seal([]byte(key.Secret()), id[:])
	if err != nil {
		return nil, err
	}
	// Older pending secrets are dropped: one enrolment at a time.
	if _, err := s.st.Ent.TotpSecret.Delete().Where(totpsecret.UserID(v.UserID), totpsecret.ConfirmedAtIsNil()).Exec(ctx); err != nil {
		return nil, fmt.Errorf("drop pending TOTP: %w", err)
	}
	if err := s.st.Ent.TotpSecret.Create().SetID(id).SetUserID(v.UserID).SetSecretSealed(sealed).SetCreatedAt(s.now()).Exec(ctx); err != nil {
		return nil, fmt.Errorf("store TOTP secret: %w", err)
	}
	return &TotpEnrollment{ID: id, Secret: key.Secret(), OtpauthURL: key.URL(), QRPNG: buf.Bytes()}, nil
}

// ConfirmTotpEnrollment activates a pending secret with a current code;
// the first second factor also returns recovery codes.
func (s *Service) ConfirmTotpEnrollment(ctx context.Context, idIn, code string) ([]string, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	id, err := validate.ID("enrollment_id", idIn)
	if err != nil {
		return nil, err
	}
	row, err := s.st.Ent.TotpSecret.Query().Where(totpsecret.ID(id), totpsecret.UserID(v.UserID), totpsecret.ConfirmedAtIsNil()).Only(ctx)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "enrollment")
	}
	if err := validCode(code); err != nil {
		return nil, err
	}
	if err := s.requireRecent(ctx, v); err != nil {
		return nil, err
	}
	if !s.now().Before(row.CreatedAt.Add(TotpEnrollmentTTL)) {
		return nil, apperr.NotFound("enrollment")
	}
	step, ok, err := s.matchTotp(row, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Invalid("code", "is not the app's current code; check the device's clock and try again")
	}
	var codes []string
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		// The confirmed secret replaces any earlier one.
		if _, err := tx.TotpSecret.Delete().Where(totpsecret.UserID(v.UserID), totpsecret.IDNEQ(id)).Exec(ctx); err != nil {
			return fmt.Errorf("drop old TOTP: %w", err)
		}
		n, err := tx.TotpSecret.Update().Where(totpsecret.ID(id), totpsecret.ConfirmedAtIsNil()).
			SetConfirmedAt(s.now()).SetLastUsedStep(step).Save(ctx)
		if err != nil {
			return fmt.Errorf("confirm TOTP: %w", err)
		}
		if n == 0 {
			return apperr.NotFound("enrollment")
		}
		if codes, err = s.firstFactorCodes(ctx, tx, v.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.TotpEnable, TargetKind: "user", TargetID: v.UserID})
	})
	if err != nil {
		return nil, err
	}
	if err := s.factorAdded(ctx, v.UserID); err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTotp removes the caller's authenticator app.
func (s *Service) DisableTotp(ctx context.Context) error {
	v, err := me(ctx)
	if err != nil {
		return err
	}
	has, err := s.st.Ent.TotpSecret.Query().Where(totpsecret.UserID(v.UserID), totpsecret.ConfirmedAtNotNil()).Exist(ctx)
	if err != nil {
		return fmt.Errorf("find authenticator app: %w", err)
	}
	if !has {
		return apperr.NotFound("authenticator app")
	}
	if err := s.requireRecent(ctx, v); err != nil {
		return err
	}
	return s.removeFactor(ctx, v, func(tx *store.Tx) error {
		if _, err := tx.TotpSecret.Delete().Where(totpsecret.UserID(v.UserID)).Exec(ctx); err != nil {
			return fmt.Errorf("delete TOTP: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.TotpDisable, TargetKind: "user", TargetID: v.UserID})
	})
}

func validCode(code string) error {
	code = strings.TrimSpace(code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return apperr.Invalid("code", "must be six digits")
	}
	return nil
}

// matchTotp finds the time step (now, one before or after) whose code is
// code and that is newer than the last one used.
func (s *Service) matchTotp(row *ent.TotpSecret, code string) (int64, bool, error) {
	secret, err := s.box.Open(row.SecretSealed, row.ID[:])
	if err != nil {
		return 0, false, fmt.Errorf("open TOTP secret: %w", err)
	}
	code = strings.TrimSpace(code)
	now := s.now().Unix() / totpPeriod
	for _, step := range []int64{now - 1, now, now + 1} {
		if step <= row.LastUsedStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(string(secret), time.Unix(step*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, false, fmt.Errorf("TOTP code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true, nil
		}
	}
	return 0, false, nil
}

// checkTotp checks a code of the user's active app and spends its time
// step, so the same code does not work twice.
func (s *Service) checkTotp(ctx context.Context, userID uuid.UUID, code string) (bool, error) {
	if validCode(code) != nil {
		return false, nil
	}
	sctx := bypass.Allow(ctx, "mfa: check a TOTP code of the user signing in")
	row, err := s.st.Ent.TotpSecret.Query().Where(totpsecret.UserID(userID), totpsecret.ConfirmedAtNotNil()).First(sctx)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find authenticator app: %w", err)
	}
	step, ok, err := s.matchTotp(row, code)
	if err != nil || !ok {
		return false, err
	}
	n, err := s.st.Ent.TotpSecret.Update().Where(totpsecret.ID(row.ID), totpsecret.LastUsedStepLT(step)).SetLastUsedStep(step).Save(sctx)
	if err != nil {
		return false, fmt.Errorf("spend TOTP code: %w", err)
	}
	return n == 1, nil
}
