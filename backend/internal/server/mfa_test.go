package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/session"
	"github.com/wegweiser/wegweiser/ent/webauthnchallenge"
)

const (
	mfaRPID   = "wegweiser.test"
	mfaOrigin = "https://wegweiser.test"
)

// mfaEnv is a server whose public URL is mfaOrigin (the passkeys' relying
// party) and one signed-up owner.
type mfaEnv struct {
	srv   *testenv.Server
	st    *store.Store
	email string
}

func newMFAEnv(t *testing.T, st *store.Store) *mfaEnv {
	t.Helper()
	srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.PublicURL = mfaOrigin })
	e := &mfaEnv{srv: srv, st: st, email: "mfa-" + uuid.NewString()[:8] + "@acme.example"}
	testenv.Call(t, srv.URL, signUp, "", map[string]any{"tenantName": "Acme", "email": e.email, "password": testenv.Password}).Must(t)
	return e
}

func (e *mfaEnv) auth(token string) wegweiserv1connect.AuthServiceClient {
	return e.srv.Clients(token).Auth
}

func (e *mfaEnv) security(token string) wegweiserv1connect.SecurityServiceClient {
	return wegweiserv1connect.NewSecurityServiceClient(http.DefaultClient, e.srv.URL,
		connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, r connect.AnyRequest) (connect.AnyResponse, error) {
				if token != "" {
					r.Header().Set("Authorization", "Bearer "+token)
				}
				return next(ctx, r)
			}
		})))
}

func (e *mfaEnv) login(t *testing.T, email string) *v1.LoginResponse {
	t.Helper()
	res, err := e.auth("").Login(context.Background(), &v1.LoginRequest{Email: email, Password: testenv.Password})
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return res
}

// registerPasskey registers a new software passkey for token's user and
// returns it with the recovery codes of the response.
func (e *mfaEnv) registerPasskey(t *testing.T, token string) (*softAuthenticator, []string) {
	t.Helper()
	ctx := context.Background()
	a := newSoftAuthenticator(t, mfaRPID, mfaOrigin)
	begin, err := e.security(token).BeginPasskeyRegistration(ctx, &v1.BeginPasskeyRegistrationRequest{})
	if err != nil {
		t.Fatalf("begin registration: %v", err)
	}
	fin, err := e.security(token).FinishPasskeyRegistration(ctx, &v1.FinishPasskeyRegistrationRequest{
		ChallengeId: begin.GetChallengeId(), Name: "Laptop", CredentialJson: a.create(t, begin.GetCreationOptionsJson()),
	})
	if err != nil {
		t.Fatalf("finish registration: %v", err)
	}
	return a, fin.GetRecoveryCodes()
}

func wantCode(t *testing.T, what string, err error, codes ...string) {
	t.Helper()
	got := testenv.Code(err)
	for _, c := range codes {
		if got == c {
			return
		}
	}
	t.Fatalf("%s: got %q (%v), want one of %v", what, got, err, codes)
}

func dbCtx() context.Context {
	return bypass.Allow(context.Background(), "test: set up and inspect rows directly")
}

// TestPasskeyCeremonies is security test 6 for WebAuthn: registration,
// second-factor and passwordless sign-in work, and a replayed, expired or
// foreign challenge, a counter that goes backwards and factor changes
// without a recent sign-in are refused.
func TestPasskeyCeremonies(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newMFAEnv(t, st)
		first := e.login(t, e.email)
		if first.GetAccessToken() == "" || first.GetSecondFactorRequired() {
			t.Fatalf("login without factors: %+v", first)
		}
		tok := first.GetAccessToken()

		// Registration; the first factor brings ten recovery codes.
		begin, err := e.security(tok).BeginPasskeyRegistration(ctx, &v1.BeginPasskeyRegistrationRequest{})
		if err != nil {
			t.Fatal(err)
		}
		a := newSoftAuthenticator(t, mfaRPID, mfaOrigin)
		cred := a.create(t, begin.GetCreationOptionsJson())
		// A challenge of one session cannot be finished by another.
		other := e.login(t, e.email).GetAccessToken()
		_, err = e.security(other).FinishPasskeyRegistration(ctx, &v1.FinishPasskeyRegistrationRequest{
			ChallengeId: begin.GetChallengeId(), Name: "Laptop", CredentialJson: cred,
		})
		wantCode(t, "registration challenge of another session", err, "unauthenticated", "not_found")
		fin, err := e.security(tok).FinishPasskeyRegistration(ctx, &v1.FinishPasskeyRegistrationRequest{
			ChallengeId: begin.GetChallengeId(), Name: "Laptop", CredentialJson: cred,
		})
		if err != nil {
			t.Fatalf("finish registration: %v", err)
		}
		if n := len(fin.GetRecoveryCodes()); n != 10 {
			t.Fatalf("recovery codes: %d, want 10", n)
		}
		_, err = e.security(tok).FinishPasskeyRegistration(ctx, &v1.FinishPasskeyRegistrationRequest{
			ChallengeId: begin.GetChallengeId(), Name: "Again", CredentialJson: cred,
		})
		wantCode(t, "replayed registration challenge", err, "unauthenticated", "not_found")

		// Password now asks for the second factor.
		lr := e.login(t, e.email)
		if !lr.GetSecondFactorRequired() || lr.GetAccessToken() != "" || lr.GetSignInToken() == "" {
			t.Fatalf("login with a passkey: %+v", lr)
		}
		bs, err := e.auth("").BeginSecondFactor(ctx, &v1.BeginSecondFactorRequest{SignInToken: lr.GetSignInToken()})
		if err != nil {
			t.Fatal(err)
		}
		// A challenge of another sign-in attempt does not finish this one.
		lr2 := e.login(t, e.email)
		if _, err := e.auth("").BeginSecondFactor(ctx, &v1.BeginSecondFactorRequest{SignInToken: lr2.GetSignInToken()}); err != nil {
			t.Fatal(err)
		}
		foreign := a.get(t, challengeOf(t, bs.GetPasskeyRequestOptionsJson()))
		_, err = e.auth("").FinishSecondFactor(ctx, &v1.FinishSecondFactorRequest{
			SignInToken: lr2.GetSignInToken(), Factor: &v1.FinishSecondFactorRequest_PasskeyAssertionJson{PasskeyAssertionJson: foreign},
		})
		wantCode(t, "assertion for another attempt's challenge", err, "unauthenticated")
		// The right attempt with its own challenge signs in.
		sf, err := e.auth("").FinishSecondFactor(ctx, &v1.FinishSecondFactorRequest{
			SignInToken: lr.GetSignInToken(), Factor: &v1.FinishSecondFactorRequest_PasskeyAssertionJson{PasskeyAssertionJson: a.get(t, challengeOf(t, bs.GetPasskeyRequestOptionsJson()))},
		})
		if err != nil {
			t.Fatalf("second factor with a passkey: %v", err)
		}
		if sf.GetAccessToken() == "" || sf.GetRecoveryCodesLeft() != 10 {
			t.Fatalf("second factor response: %+v", sf)
		}
		// The attempt is spent.
		_, err = e.auth("").BeginSecondFactor(ctx, &v1.BeginSecondFactorRequest{SignInToken: lr.GetSignInToken()})
		wantCode(t, "spent sign-in attempt", err, "not_found")

		// Passwordless sign-in, and its replay.
		ps, err := e.auth("").BeginPasskeySignIn(ctx, &v1.BeginPasskeySignInRequest{})
		if err != nil {
			t.Fatal(err)
		}
		assertion := a.get(t, challengeOf(t, ps.GetRequestOptionsJson()))
		fp, err := e.auth("").FinishPasskeySignIn(ctx, &v1.FinishPasskeySignInRequest{ChallengeId: ps.GetChallengeId(), AssertionJson: assertion})
		if err != nil || fp.GetAccessToken() == "" {
			t.Fatalf("passkey sign-in: %v", err)
		}
		_, err = e.auth("").FinishPasskeySignIn(ctx, &v1.FinishPasskeySignInRequest{ChallengeId: ps.GetChallengeId(), AssertionJson: assertion})
		wantCode(t, "replayed passkey sign-in", err, "unauthenticated")
		sess, err := st.Ent.Session.Query().Where(session.Method("passkey")).Count(dbCtx())
		if err != nil || sess != 1 {
			t.Fatalf("passkey sessions: %d, %v", sess, err)
		}

		// An expired challenge.
		ps, err = e.auth("").BeginPasskeySignIn(ctx, &v1.BeginPasskeySignInRequest{})
		if err != nil {
			t.Fatal(err)
		}
		cid := uuid.MustParse(ps.GetChallengeId())
		if err := st.Ent.WebAuthnChallenge.UpdateOneID(cid).Exec(dbCtx()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Ent.WebAuthnChallenge.Delete().Where(webauthnchallenge.ID(cid)).Exec(dbCtx()); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour)
		if err := st.Ent.WebAuthnChallenge.Create().SetID(cid).SetPurpose(webauthnchallenge.PurposeSignIn).
			SetSessionData([]byte(`{"challenge":"` + challengeOf(t, ps.GetRequestOptionsJson()) + `","userVerification":"required"}`)).
			SetCreatedAt(old).SetExpiresAt(old.Add(2 * time.Minute)).Exec(dbCtx()); err != nil {
			t.Fatal(err)
		}
		_, err = e.auth("").FinishPasskeySignIn(ctx, &v1.FinishPasskeySignInRequest{
			ChallengeId: ps.GetChallengeId(), AssertionJson: a.get(t, challengeOf(t, ps.GetRequestOptionsJson())),
		})
		wantCode(t, "expired challenge", err, "unauthenticated")

		// A signature counter that goes backwards (a cloned key).
		a.counter = 1
		ps, err = e.auth("").BeginPasskeySignIn(ctx, &v1.BeginPasskeySignInRequest{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.auth("").FinishPasskeySignIn(ctx, &v1.FinishPasskeySignInRequest{
			ChallengeId: ps.GetChallengeId(), AssertionJson: a.get(t, challengeOf(t, ps.GetRequestOptionsJson())),
		})
		wantCode(t, "counter gone backwards", err, "unauthenticated")
		failed, err := st.Ent.AuditEvent.Query().Where(auditevent.Action(audit.LoginFailed)).Count(dbCtx())
		if err != nil || failed == 0 {
			t.Fatalf("auth.login_failed events: %d, %v", failed, err)
		}

		// Factor changes need a recent sign-in.
		if _, err := st.Ent.Session.Update().SetAuthenticatedAt(time.Now().Add(-time.Hour)).Save(dbCtx()); err != nil {
			t.Fatal(err)
		}
		sec := e.security(tok)
		_, err = sec.BeginPasskeyRegistration(ctx, &v1.BeginPasskeyRegistrationRequest{})
		wantCode(t, "register without recent sign-in", err, "failed_precondition")
		_, err = sec.DeletePasskey(ctx, &v1.DeletePasskeyRequest{PasskeyId: fin.GetPasskey().GetId()})
		wantCode(t, "delete without recent sign-in", err, "failed_precondition")
		_, err = sec.BeginTotpEnrollment(ctx, &v1.BeginTotpEnrollmentRequest{})
		wantCode(t, "TOTP without recent sign-in", err, "failed_precondition")
		_, err = sec.RegenerateRecoveryCodes(ctx, &v1.RegenerateRecoveryCodesRequest{})
		wantCode(t, "recovery codes without recent sign-in", err, "failed_precondition")
		// A passkey re-authentication opens them again.
		a.counter = 100
		br, err := sec.BeginReauthentication(ctx, &v1.BeginReauthenticationRequest{})
		if err != nil || br.GetChallengeId() == "" || !br.GetPassword() {
			t.Fatalf("begin re-authentication: %v %+v", err, br)
		}
		if _, err := sec.Reauthenticate(ctx, &v1.ReauthenticateRequest{
			ChallengeId: br.GetChallengeId(),
			Proof:       &v1.ReauthenticateRequest_PasskeyAssertionJson{PasskeyAssertionJson: a.get(t, challengeOf(t, br.GetPasskeyRequestOptionsJson()))},
		}); err != nil {
			t.Fatalf("re-authenticate: %v", err)
		}
		codes, err := sec.RegenerateRecoveryCodes(ctx, &v1.RegenerateRecoveryCodesRequest{})
		if err != nil || len(codes.GetRecoveryCodes()) != 10 {
			t.Fatalf("regenerate after re-authentication: %v", err)
		}
		if _, err := sec.DeletePasskey(ctx, &v1.DeletePasskeyRequest{PasskeyId: fin.GetPasskey().GetId()}); err != nil {
			t.Fatalf("delete passkey: %v", err)
		}
		if lr := e.login(t, e.email); lr.GetSecondFactorRequired() {
			t.Fatal("second factor still asked after removing the only passkey")
		}
	})
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTotpAndRecoveryCodes: the authenticator app as the second step, a
// recovery code that works once, and the attempt that ends after five
// wrong codes.
func TestTotpAndRecoveryCodes(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newMFAEnv(t, st)
		tok := e.login(t, e.email).GetAccessToken()
		sec := e.security(tok)
		en, err := sec.BeginTotpEnrollment(ctx, &v1.BeginTotpEnrollmentRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(en.GetQrPng()) == 0 || !strings.HasPrefix(en.GetOtpauthUrl(), "otpauth://totp/") {
			t.Fatalf("enrolment: %+v", en)
		}
		_, err = sec.ConfirmTotpEnrollment(ctx, &v1.ConfirmTotpEnrollmentRequest{EnrollmentId: en.GetEnrollmentId(), Code: "12345"})
		wantCode(t, "malformed code", err, "invalid_argument")
		conf, err := sec.ConfirmTotpEnrollment(ctx, &v1.ConfirmTotpEnrollmentRequest{
			EnrollmentId: en.GetEnrollmentId(), Code: totpCode(t, en.GetSecret(), time.Now()),
		})
		if err != nil {
			t.Fatalf("confirm TOTP: %v", err)
		}
		codes := conf.GetRecoveryCodes()
		if len(codes) != 10 {
			t.Fatalf("recovery codes: %d", len(codes))
		}
		lf, err := sec.ListFactors(ctx, &v1.ListFactorsRequest{})
		if err != nil || !lf.GetTotpEnabled() || lf.GetRecoveryCodesLeft() != 10 || lf.GetRecentSignInUntil() == nil {
			t.Fatalf("factors: %v %+v", err, lf)
		}

		finish := func(token string, f any) error {
			req := &v1.FinishSecondFactorRequest{SignInToken: token}
			switch f := f.(type) {
			case *v1.FinishSecondFactorRequest_TotpCode:
				req.Factor = f
			case *v1.FinishSecondFactorRequest_RecoveryCode:
				req.Factor = f
			}
			_, err := e.auth("").FinishSecondFactor(ctx, req)
			return err
		}
		// TOTP second step (the next time step: the current one was spent
		// by the confirmation).
		lr := e.login(t, e.email)
		if !lr.GetSecondFactorRequired() || len(lr.GetSecondFactors()) != 2 {
			t.Fatalf("login: %+v", lr)
		}
		code := totpCode(t, en.GetSecret(), time.Now().Add(30*time.Second))
		if err := finish(lr.GetSignInToken(), &v1.FinishSecondFactorRequest_TotpCode{TotpCode: code}); err != nil {
			t.Fatalf("TOTP second step: %v", err)
		}
		// The same code does not work twice.
		lr = e.login(t, e.email)
		wantCode(t, "reused TOTP code", finish(lr.GetSignInToken(), &v1.FinishSecondFactorRequest_TotpCode{TotpCode: code}), "unauthenticated")

		// A recovery code works once.
		lr = e.login(t, e.email)
		if err := finish(lr.GetSignInToken(), &v1.FinishSecondFactorRequest_RecoveryCode{RecoveryCode: strings.ToUpper(codes[0])}); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		lr = e.login(t, e.email)
		wantCode(t, "used recovery code", finish(lr.GetSignInToken(), &v1.FinishSecondFactorRequest_RecoveryCode{RecoveryCode: codes[0]}), "unauthenticated")

		// Five wrong answers end the attempt, even for the right code after.
		lr = e.login(t, e.email)
		for i := range 5 {
			wantCode(t, "wrong code", finish(lr.GetSignInToken(), &v1.FinishSecondFactorRequest_RecoveryCode{RecoveryCode: "wrong-" + string(rune('a'+i))}), "unauthenticated")
		}
		wantCode(t, "right code after five wrong", finish(lr.GetSignInToken(), &v1.FinishSecondFactorRequest_RecoveryCode{RecoveryCode: codes[1]}), "not_found")
		// Without a password the second step is unknown.
		wantCode(t, "unknown sign-in token", finish("wws_nope", &v1.FinishSecondFactorRequest_RecoveryCode{RecoveryCode: codes[1]}), "not_found")
	})
}

// TestRequireSecondFactor: a member without a factor in a tenant that
// requires one reaches only the factor setup until they set one up, and
// turning the policy on restricts sessions already signed in.
func TestRequireSecondFactor(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newMFAEnv(t, st)
		owner := e.login(t, e.email).GetAccessToken()
		// A member, invited and signed in before the policy.
		memberEmail := "tech-" + uuid.NewString()[:8] + "@acme.example"
		testenv.Call(t, e.srv.URL, "wegweiser.v1.UserService/InviteUser", owner, map[string]any{"email": memberEmail, "role": "ROLE_ADMIN"}).Must(t)
		token := testenv.LinkToken(t, e.srv.WaitMail(t, memberEmail, 1).Body)
		testenv.Call(t, e.srv.URL, "wegweiser.v1.AuthService/AcceptInvitation", "", map[string]any{"invitationToken": token, "password": testenv.Password}).Must(t)
		early := e.login(t, memberEmail).GetAccessToken()

		// The owner must have a factor first.
		_, err := e.security(owner).UpdateSecurityPolicy(ctx, &v1.UpdateSecurityPolicyRequest{Policy: &v1.SecurityPolicy{RequireSecondFactor: true}})
		wantCode(t, "require without own factor", err, "failed_precondition")
		e.registerPasskey(t, owner)
		_, err = e.security(early).UpdateSecurityPolicy(ctx, &v1.UpdateSecurityPolicyRequest{Policy: &v1.SecurityPolicy{RequireSecondFactor: true}})
		wantCode(t, "admin changes policy", err, "permission_denied")
		if _, err := e.security(owner).UpdateSecurityPolicy(ctx, &v1.UpdateSecurityPolicyRequest{Policy: &v1.SecurityPolicy{RequireSecondFactor: true}}); err != nil {
			t.Fatalf("require second factor: %v", err)
		}
		pol, err := e.security(owner).GetSecurityPolicy(ctx, &v1.GetSecurityPolicyRequest{})
		if err != nil || !pol.GetPolicy().GetRequireSecondFactor() || pol.GetMembersWithoutSecondFactor() != 1 {
			t.Fatalf("policy: %v %+v", err, pol)
		}
		// The early session is restricted now; so is a new sign-in.
		_, err = e.srv.Clients(early).Tenant.ListOrganisations(ctx, &v1.ListOrganisationsRequest{})
		wantCode(t, "early session after the policy", err, "failed_precondition")
		lr := e.login(t, memberEmail)
		if !lr.GetSecondFactorSetupRequired() || lr.GetAccessToken() == "" {
			t.Fatalf("member login: %+v", lr)
		}
		member := lr.GetAccessToken()
		who, err := e.auth(member).WhoAmI(ctx, &v1.WhoAmIRequest{})
		if err != nil || !who.GetSecondFactorSetupRequired() {
			t.Fatalf("whoami: %v %+v", err, who)
		}
		_, err = e.srv.Clients(member).Tenant.ListOrganisations(ctx, &v1.ListOrganisationsRequest{})
		wantCode(t, "member without factor", err, "failed_precondition")

		// Setting up an app lifts the restriction for both sessions.
		sec := e.security(member)
		en, err := sec.BeginTotpEnrollment(ctx, &v1.BeginTotpEnrollmentRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sec.ConfirmTotpEnrollment(ctx, &v1.ConfirmTotpEnrollmentRequest{
			EnrollmentId: en.GetEnrollmentId(), Code: totpCode(t, en.GetSecret(), time.Now()),
		}); err != nil {
			t.Fatalf("confirm TOTP: %v", err)
		}
		for _, tok := range []string{member, early} {
			if _, err := e.srv.Clients(tok).Tenant.ListOrganisations(ctx, &v1.ListOrganisationsRequest{}); err != nil {
				t.Fatalf("after setting up a factor: %v", err)
			}
		}
		// The last factor cannot go while the tenant requires one.
		_, err = sec.DisableTotp(ctx, &v1.DisableTotpRequest{})
		wantCode(t, "remove last factor", err, "failed_precondition")
		if n, err := st.Ent.AuditEvent.Query().Where(auditevent.Action(audit.SecurityPolicyChange)).Count(dbCtx()); err != nil || n != 1 {
			t.Fatalf("policy change events: %d %v", n, err)
		}
	})
}
