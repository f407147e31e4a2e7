package server_test

// The throttle tests here send raw JSON (callFrom, testenv.Call) where the
// test is about the wire: X-Forwarded-For headers from chosen addresses and
// bodies past the size limit. The rest uses the typed clients.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/user"
)

// requestReset is the raw procedure name for the body-limit test.
const requestReset = "wegweiser.v1.AuthService/RequestPasswordReset"

// callFrom is testenv.Call with an X-Forwarded-For header (empty: none).
func callFrom(t *testing.T, baseURL, procedure, forwardedFor string, body any) *testenv.Response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, baseURL+"/"+procedure, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("call %s: %v", procedure, err)
	}
	defer func() { _ = res.Body.Close() }()
	data, _ := io.ReadAll(res.Body)
	out := &testenv.Response{Status: res.StatusCode, Raw: data, Header: res.Header, Code: "ok"}
	_ = json.Unmarshal(data, &out.Body)
	if res.StatusCode != http.StatusOK {
		out.Code, _ = out.Body["code"].(string)
	}
	return out
}

func trustLocalProxy(c *config.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
}

// TestLoginAttackerCannotLockOutUser is docs/security.md abuse test 7: 100
// wrong passwords for an account from one address get that address
// throttled, while the real user, from another address, still logs in with
// the correct password (at most after the account's few-second pace).
func TestLoginAttackerCannotLockOutUser(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		for _, limiter := range limiters(t) {
			t.Run(limiter.name, func(t *testing.T) {
				lockout(t, testenv.StartServerWith(t, st, func(c *config.Config) { trustLocalProxy(c); limiter.configure(c) }))
			})
		}
	})
}

type limiterKind struct {
	name      string
	configure func(*config.Config)
}

// limiters are the throttle stores to test: in process, and the real
// Redis when the run has one.
func limiters(t *testing.T) []limiterKind {
	out := []limiterKind{{"memory", func(c *config.Config) { c.RedisURL = "" }}}
	if os.Getenv("WEGWEISER_TEST_REDIS_URL") != "" {
		out = append(out, limiterKind{"redis", func(*config.Config) {}})
	} else {
		t.Log("WEGWEISER_TEST_REDIS_URL not set: Redis throttles not tested")
	}
	return out
}

func lockout(t *testing.T, srv *testenv.Server) {
	ten := testenv.NewTenant(t, srv, "lockout")
	victim := ten.Members["admin"]
	codes := map[string]int{}
	var last *testenv.Response
	for i := 0; i < 100; i++ {
		last = callFrom(t, srv.URL, login, "203.0.113.9", map[string]any{"email": victim.Email, "password": "not the password"})
		codes[last.Code]++
	}
	if last.Code != "resource_exhausted" || last.Header.Get("Retry-After") == "" {
		t.Fatalf("attacker after 100 failures: %s %v (codes %v), want resource_exhausted with Retry-After", last.Code, last.Header, codes)
	}
	if codes["unauthenticated"] > 30 {
		t.Fatalf("the attacker's address had %d password checks, want at most 30 (codes %v)", codes["unauthenticated"], codes)
	}
	// The real user, behind the same trusted proxy but from another
	// address, gets in with the right password.
	var res *testenv.Response
	for try := 0; try < 3; try++ {
		res = callFrom(t, srv.URL, login, "198.51.100.7", map[string]any{"email": victim.Email, "password": testenv.Password})
		if res.Code != "resource_exhausted" {
			break
		}
		wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || wait > 5 {
			t.Fatalf("real user refused with Retry-After %q: %s", res.Header.Get("Retry-After"), res.Raw)
		}
		time.Sleep(time.Duration(wait) * time.Second)
	}
	if res.Code != "ok" || res.Str("accessToken") == "" {
		t.Fatalf("real user with the correct password: %s %s", res.Code, res.Raw)
	}
	// The attacker's address is still blocked, even with the password.
	if c := callFrom(t, srv.URL, login, "203.0.113.9", map[string]any{"email": ten.Owner.Email, "password": testenv.Password}).Code; c != "resource_exhausted" {
		t.Fatalf("attacker address after the burst: %s, want resource_exhausted", c)
	}
}

// TestForwardedForNeedsTrustedProxy: a client cannot escape the
// per-address throttle by making up X-Forwarded-For headers; behind a
// configured proxy the header is what tells clients apart.
func TestForwardedForNeedsTrustedProxy(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		spray := func(srv *testenv.Server) string {
			run := uuid.NewString()[:8]
			var last string
			for i := 0; i < 40; i++ {
				// A different account each time: only the address limit applies.
				last = callFrom(t, srv.URL, login, "192.0.2."+strconv.Itoa(i+1), map[string]any{
					"email": "nobody-" + run + "-" + strconv.Itoa(i) + "@example.com", "password": "wrong password!",
				}).Code
			}
			return last
		}
		for _, limiter := range limiters(t) {
			if c := spray(testenv.StartServerWith(t, st, limiter.configure)); c != "resource_exhausted" {
				t.Fatalf("%s: forged X-Forwarded-For from an untrusted peer: last login %s, want resource_exhausted", limiter.name, c)
			}
			if c := spray(testenv.StartServerWith(t, st, func(c *config.Config) { trustLocalProxy(c); limiter.configure(c) })); c != "unauthenticated" {
				t.Fatalf("%s: 40 clients behind a trusted proxy: last login %s, want unauthenticated", limiter.name, c)
			}
		}
	})
}

// TestHugeEmail: an email of 60,000 characters (a body within the limit of
// unauthenticated calls) is refused as invalid before it is used for
// anything (it never becomes a throttle key or a query); a 1 MB one never
// gets past the body limit.
func TestHugeEmail(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		for _, c := range []struct {
			size int
			want string
		}{{60_000, "invalid_argument"}, {1_000_000, "resource_exhausted"}} {
			huge := strings.Repeat("a", c.size) + "@example.com"
			for _, p := range []string{login, signUp, requestReset} {
				res := testenv.Call(t, srv.URL, p, "", map[string]any{"email": huge, "password": testenv.Password, "tenantName": "T"})
				if res.Code != c.want {
					t.Errorf("%s with an email of %d characters: %s, want %s", p, c.size, res.Code, c.want)
				}
			}
		}
	})
}

// TestPublicProceduresThrottledPerAddress: SignUp, AcceptInvitation and
// Refresh are counted per source address.
func TestPublicProceduresThrottledPerAddress(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ctx := context.Background()
		anon := srv.Clients("")
		for _, c := range []struct {
			procedure string
			call      func() error
			n         int
		}{
			{"SignUp", func() error {
				_, err := anon.Auth.SignUp(ctx, &v1.SignUpRequest{Email: "x@example.com", Password: "short"})
				return err
			}, 20},
			{"AcceptInvitation", func() error {
				_, err := anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: "wwi_nope", Password: testenv.Password})
				return err
			}, 60},
			{"Refresh", func() error {
				_, err := anon.Auth.Refresh(ctx, &v1.RefreshRequest{RefreshToken: "wwr_nope"})
				return err
			}, 300},
		} {
			for i := 0; i < c.n; i++ {
				if err := c.call(); testenv.Code(err) == "resource_exhausted" {
					t.Fatalf("%s throttled after %d calls, limit %d", c.procedure, i, c.n)
				}
			}
			if err := c.call(); testenv.Code(err) != "resource_exhausted" || testenv.RetryAfter(err) == "" {
				t.Errorf("%s call %d: %v, want resource_exhausted with Retry-After", c.procedure, c.n+1, err)
			}
		}
	})
}

func verified(t *testing.T, st *store.Store, email string) bool {
	t.Helper()
	u, err := st.Ent.User.Query().Where(user.Email(email)).Only(bypass.Allow(context.Background(), "test: set up and inspect rows directly"))
	if err != nil {
		t.Fatal(err)
	}
	return u.EmailVerifiedAt != nil
}

// invitationMail waits for the invitation mailed to email and returns its
// token.
func invitationMail(t *testing.T, srv *testenv.Server, email string) string {
	t.Helper()
	var token string
	testenv.Eventually(t, "invitation mail", func() bool {
		for _, m := range srv.Mail.To(email) {
			if strings.Contains(m.Subject, "invited") {
				token = testenv.LinkToken(t, m.Body)
			}
		}
		return token != ""
	})
	return token
}

// TestInvitationOnlyByMail: the inviting admin never sees the invitation
// token, so they cannot set the password of an address they do not
// control; the owner of the address gets the link by mail, sets the
// password and is verified. Someone who signed up with the address before
// (without controlling it) loses the account's password and sessions when
// the real owner accepts.
func TestInvitationOnlyByMail(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "invmail")
		ctx := context.Background()
		anon := srv.Clients("")
		admin := srv.Clients(ten.Login(t, ten.Members["admin"]))
		invitee := "newcomer-" + uuid.NewString()[:8] + "@example.com"
		inv := must(admin.User.InviteUser(ctx, &v1.InviteUserRequest{Email: invitee, Role: v1.Role_ROLE_VIEWER}))(t)
		if inv.GetInvitationToken() != "" || inv.GetInvitationUrl() != "" || strings.Contains(pj(inv), "wwi_") {
			t.Fatalf("InviteUser hands the invitation token to the admin: %s", pj(inv))
		}
		mail := srv.WaitMail(t, invitee, 1)
		token := testenv.LinkToken(t, mail.Body)
		for _, m := range srv.Mail.To(ten.Members["admin"].Email) {
			if strings.Contains(m.Body, token) {
				t.Fatal("the admin was mailed the invitation")
			}
		}
		// Without the mailed token there is nothing to accept with.
		if _, err := anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: "wwi_guess", Password: "admin's choice!"}); testenv.Code(err) != "not_found" {
			t.Fatalf("accept with a guessed token: %v", err)
		}
		must(anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: token, Password: "the owner's own pw", DisplayName: "New Comer"}))(t)
		must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: invitee, Password: "the owner's own pw"}))(t)
		if !verified(t, st, invitee) {
			t.Fatal("accepting a mailed invitation did not verify the email")
		}

		// A squatter signs up with someone else's address (unverified) ...
		victim := "victim-" + uuid.NewString()[:8] + "@example.com"
		must(anon.Auth.SignUp(ctx, &v1.SignUpRequest{TenantName: "Squat", Email: victim, Password: "squatter password"}))(t)
		squat := must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: victim, Password: "squatter password"}))(t)
		// ... then the real owner is invited and accepts from the mail.
		must(admin.User.InviteUser(ctx, &v1.InviteUserRequest{Email: victim, Role: v1.Role_ROLE_VIEWER}))(t)
		vtoken := invitationMail(t, srv, victim)
		must(anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: vtoken, Password: "the real owner pw"}))(t)
		if _, err := anon.Auth.Login(ctx, &v1.LoginRequest{Email: victim, Password: "squatter password"}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("squatter's password after the real owner accepted: %v", err)
		}
		if _, err := srv.Clients(squat.GetAccessToken()).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("squatter's session after the real owner accepted: %v", err)
		}
		must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: victim, Password: "the real owner pw", TenantId: ten.ID}))(t)

		// An existing verified account only gains the membership: the
		// password in the request does not replace its own.
		other := testenv.NewTenant(t, srv, "invother")
		must(admin.User.InviteUser(ctx, &v1.InviteUserRequest{Email: other.Owner.Email, Role: v1.Role_ROLE_VIEWER}))(t)
		otoken := invitationMail(t, srv, other.Owner.Email)
		must(anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: otoken, Password: "a different one"}))(t)
		if _, err := anon.Auth.Login(ctx, &v1.LoginRequest{Email: other.Owner.Email, Password: "a different one"}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("accepting changed an existing account's password: %v", err)
		}
		must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: other.Owner.Email, Password: testenv.Password, TenantId: ten.ID}))(t)
	})
}

// TestPasswordReset: the request answers alike for known and unknown
// addresses; the mailed token sets a new password once, ends every
// session, and expires.
func TestPasswordReset(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "reset")
		ctx := context.Background()
		anon := srv.Clients("")
		tech := ten.Members["technician"]
		before := must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: tech.Email, Password: testenv.Password}))(t)
		known, kerr := anon.Auth.RequestPasswordReset(ctx, &v1.RequestPasswordResetRequest{Email: tech.Email})
		unknown, uerr := anon.Auth.RequestPasswordReset(ctx, &v1.RequestPasswordResetRequest{Email: "nobody-" + uuid.NewString()[:8] + "@example.com"})
		if kerr != nil || uerr != nil || pj(known) != pj(unknown) {
			t.Fatalf("reset request differs for known (%v %s) and unknown (%v %s) emails", kerr, pj(known), uerr, pj(unknown))
		}
		token := testenv.LinkToken(t, srv.WaitMail(t, tech.Email, 2).Body) // 1 is the invitation
		if _, err := anon.Auth.ResetPassword(ctx, &v1.ResetPasswordRequest{ResetToken: token, Password: "short"}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("short new password: %v", err)
		}
		must(anon.Auth.ResetPassword(ctx, &v1.ResetPasswordRequest{ResetToken: token, Password: "brand new password"}))(t)
		if _, err := srv.Clients(before.GetAccessToken()).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("session from before the reset: %v", err)
		}
		if _, err := anon.Auth.Refresh(ctx, &v1.RefreshRequest{RefreshToken: before.GetRefreshToken()}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("refresh token from before the reset: %v", err)
		}
		if _, err := anon.Auth.Login(ctx, &v1.LoginRequest{Email: tech.Email, Password: testenv.Password}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("old password after the reset: %v", err)
		}
		must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: tech.Email, Password: "brand new password"}))(t)
		if _, err := anon.Auth.ResetPassword(ctx, &v1.ResetPasswordRequest{ResetToken: token, Password: "another new password"}); testenv.Code(err) != "not_found" {
			t.Fatalf("reset token used twice: %v, want not_found", err)
		}
		// An expired token is refused.
		must(anon.Auth.RequestPasswordReset(ctx, &v1.RequestPasswordResetRequest{Email: tech.Email}))(t)
		token2 := testenv.LinkToken(t, srv.WaitMail(t, tech.Email, 3).Body)
		sys := bypass.Allow(context.Background(), "test: set up and inspect rows directly")
		if err := st.Ent.User.Update().Where(user.Email(tech.Email)).SetResetExpiresAt(time.Now().Add(-time.Minute)).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if _, err := anon.Auth.ResetPassword(ctx, &v1.ResetPasswordRequest{ResetToken: token2, Password: "another new password"}); testenv.Code(err) != "failed_precondition" {
			t.Fatalf("expired reset token: %v, want failed_precondition", err)
		}
	})
}

// TestSignUpDoesNotRevealAccounts: SignUp with a registered email answers
// exactly like one with a new email; the registered owner gets a notice by
// mail, the new one a verification link that works once.
func TestSignUpDoesNotRevealAccounts(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "reveal")
		ctx := context.Background()
		anon := srv.Clients("")
		fresh := "fresh-" + uuid.NewString()[:8] + "@example.com"
		taken, terr := anon.Auth.SignUp(ctx, &v1.SignUpRequest{TenantName: "Again", Email: ten.Owner.Email, Password: "some other password"})
		newer, nerr := anon.Auth.SignUp(ctx, &v1.SignUpRequest{TenantName: "Fresh", Email: fresh, Password: "some other password"})
		// The code decides the HTTP status; the rendering is the body.
		if testenv.Code(terr) != testenv.Code(nerr) || pj(taken) != pj(newer) {
			t.Fatalf("sign-up differs: taken %v %s, new %v %s", terr, pj(taken), nerr, pj(newer))
		}
		// Mail 1 is the owner's own verification link from the fixture.
		if m := srv.WaitMail(t, ten.Owner.Email, 2); !strings.Contains(m.Subject, "already have") {
			t.Fatalf("registered owner got %q", m.Subject)
		}
		m := srv.WaitMail(t, fresh, 1)
		if !strings.Contains(m.Body, "/verify-email?token=") {
			t.Fatalf("new owner got no verification link: %s", m.Body)
		}
		// Unverified owners may log in; WhoAmI says they are unverified.
		me := srv.Clients(must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: fresh, Password: "some other password"}))(t).GetAccessToken())
		if who := must(me.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t); who.GetUser().GetEmailVerified() {
			t.Fatalf("unverified owner reported verified: %s", pj(who))
		}
		vt := testenv.LinkToken(t, m.Body)
		must(anon.Auth.VerifyEmail(ctx, &v1.VerifyEmailRequest{VerificationToken: vt}))(t)
		if _, err := anon.Auth.VerifyEmail(ctx, &v1.VerifyEmailRequest{VerificationToken: vt}); testenv.Code(err) != "not_found" {
			t.Fatalf("verification token used twice: %v", err)
		}
		if who := must(me.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t); !who.GetUser().GetEmailVerified() {
			t.Fatalf("verified owner reported unverified: %s", pj(who))
		}
		// The taken email's account is untouched.
		ten.Login(t, ten.Owner)
	})
}

// TestDisplayNameStaysInTenant: the name a user chose in one tenant is
// never shown to another tenant that invites them.
func TestDisplayNameStaysInTenant(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ctx := context.Background()
		anon := srv.Clients("")
		secret := "Secret Name " + uuid.NewString()[:8]
		email := "named-" + uuid.NewString()[:8] + "@example.com"
		must(anon.Auth.SignUp(ctx, &v1.SignUpRequest{TenantName: "Home", Email: email, Password: testenv.Password, DisplayName: secret}))(t)
		other := testenv.NewTenant(t, srv, "names")
		owner := srv.Clients(other.Login(t, other.Owner))
		inv := must(owner.User.InviteUser(ctx, &v1.InviteUserRequest{Email: email, Role: v1.Role_ROLE_VIEWER}))(t)
		if strings.Contains(pj(inv), secret) || inv.GetUser().GetDisplayName() != email {
			t.Fatalf("InviteUser shows another tenant's name: %s", pj(inv))
		}
		if list := must(owner.User.ListUsers(ctx, &v1.ListUsersRequest{}))(t); strings.Contains(pj(list), secret) {
			t.Fatalf("ListUsers shows another tenant's name: %s", pj(list))
		}
		tok := invitationMail(t, srv, email)
		must(anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: tok, Password: testenv.Password}))(t)
		if list := must(owner.User.ListUsers(ctx, &v1.ListUsersRequest{}))(t); strings.Contains(pj(list), secret) {
			t.Fatalf("ListUsers shows another tenant's name after acceptance: %s", pj(list))
		}
		// In its own tenant the name is still shown.
		home := must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: email, Password: testenv.Password}))(t)
		if me := must(srv.Clients(home.GetAccessToken()).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t); me.GetUser().GetDisplayName() != secret {
			t.Fatalf("own tenant lost the name: %s", pj(me))
		}
	})
}

// TestPublicSignUpOff: with public sign-up turned off, SignUp is
// permission_denied and GetAuthConfig says so.
func TestPublicSignUpOff(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		open := testenv.StartServer(t, st).Clients("")
		if v := must(open.Auth.GetAuthConfig(ctx, &v1.GetAuthConfigRequest{}))(t).GetPublicSignup(); !v {
			t.Fatalf("default server: publicSignup %v, want true", v)
		}
		closed := testenv.StartServerWith(t, st, func(c *config.Config) { c.PublicSignup = false }).Clients("")
		if must(closed.Auth.GetAuthConfig(ctx, &v1.GetAuthConfigRequest{}))(t).GetPublicSignup() {
			t.Fatal("closed server: publicSignup true")
		}
		_, err := closed.Auth.SignUp(ctx, &v1.SignUpRequest{TenantName: "Nope", Email: "nope-" + uuid.NewString()[:8] + "@example.com", Password: testenv.Password})
		if testenv.Code(err) != "permission_denied" {
			t.Fatalf("SignUp with public sign-up off: %v, want permission_denied", err)
		}
	})
}
