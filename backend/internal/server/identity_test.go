package server_test

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

	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/user"
)

const (
	acceptInvitation = "wegweiser.v1.AuthService/AcceptInvitation"
	inviteUser       = "wegweiser.v1.UserService/InviteUser"
	listUsers        = "wegweiser.v1.UserService/ListUsers"
	verifyEmail      = "wegweiser.v1.AuthService/VerifyEmail"
	requestReset     = "wegweiser.v1.AuthService/RequestPasswordReset"
	resetPassword    = "wegweiser.v1.AuthService/ResetPassword"
	getAuthConfig    = "wegweiser.v1.AuthService/GetAuthConfig"
)

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

// TestLoginAttackerCannotLockOutUser is SECURITY.md abuse test 7: 100
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
		for _, c := range []struct {
			procedure string
			body      map[string]any
			n         int
		}{
			{signUp, map[string]any{"tenantName": "", "email": "x@example.com", "password": "short"}, 20},
			{acceptInvitation, map[string]any{"invitationToken": "wwi_nope", "password": testenv.Password}, 60},
			{refresh, map[string]any{"refreshToken": "wwr_nope"}, 300},
		} {
			for i := 0; i < c.n; i++ {
				if res := testenv.Call(t, srv.URL, c.procedure, "", c.body); res.Code == "resource_exhausted" {
					t.Fatalf("%s throttled after %d calls, limit %d", c.procedure, i, c.n)
				}
			}
			res := testenv.Call(t, srv.URL, c.procedure, "", c.body)
			if res.Code != "resource_exhausted" || res.Header.Get("Retry-After") == "" {
				t.Errorf("%s call %d: %s, want resource_exhausted with Retry-After", c.procedure, c.n+1, res.Code)
			}
		}
	})
}

func verified(t *testing.T, st *store.Store, email string) bool {
	t.Helper()
	u, err := st.Ent.User.Query().Where(user.Email(email)).Only(privacy.DecisionContext(context.Background(), privacy.Allow))
	if err != nil {
		t.Fatal(err)
	}
	return u.EmailVerifiedAt != nil
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
		admin := ten.Login(t, ten.Members["admin"])
		invitee := "newcomer-" + uuid.NewString()[:8] + "@example.com"
		inv := testenv.Call(t, srv.URL, inviteUser, admin, map[string]any{"email": invitee, "role": "ROLE_VIEWER"})
		inv.Must(t)
		if inv.Str("invitationToken") != "" || inv.Str("invitationUrl") != "" || strings.Contains(string(inv.Raw), "wwi_") {
			t.Fatalf("InviteUser hands the invitation token to the admin: %s", inv.Raw)
		}
		mail := srv.WaitMail(t, invitee, 1)
		token := testenv.LinkToken(t, mail.Body)
		for _, m := range srv.Mail.To(ten.Members["admin"].Email) {
			if strings.Contains(m.Body, token) {
				t.Fatal("the admin was mailed the invitation")
			}
		}
		// Without the mailed token there is nothing to accept with.
		if c := testenv.Call(t, srv.URL, acceptInvitation, "", map[string]any{"invitationToken": "wwi_guess", "password": "admin's choice!"}).Code; c != "not_found" {
			t.Fatalf("accept with a guessed token: %s", c)
		}
		testenv.Call(t, srv.URL, acceptInvitation, "", map[string]any{"invitationToken": token, "password": "the owner's own pw", "displayName": "New Comer"}).Must(t)
		testenv.Call(t, srv.URL, login, "", map[string]any{"email": invitee, "password": "the owner's own pw"}).Must(t)
		if !verified(t, st, invitee) {
			t.Fatal("accepting a mailed invitation did not verify the email")
		}

		// A squatter signs up with someone else's address (unverified) ...
		victim := "victim-" + uuid.NewString()[:8] + "@example.com"
		testenv.Call(t, srv.URL, signUp, "", map[string]any{"tenantName": "Squat", "email": victim, "password": "squatter password"}).Must(t)
		squat := testenv.Call(t, srv.URL, login, "", map[string]any{"email": victim, "password": "squatter password"})
		squat.Must(t)
		// ... then the real owner is invited and accepts from the mail.
		testenv.Call(t, srv.URL, inviteUser, admin, map[string]any{"email": victim, "role": "ROLE_VIEWER"}).Must(t)
		var vtoken string
		testenv.Eventually(t, "invitation mail", func() bool {
			for _, m := range srv.Mail.To(victim) {
				if strings.Contains(m.Subject, "invited") {
					vtoken = testenv.LinkToken(t, m.Body)
				}
			}
			return vtoken != ""
		})
		testenv.Call(t, srv.URL, acceptInvitation, "", map[string]any{"invitationToken": vtoken, "password": "the real owner pw"}).Must(t)
		if c := testenv.Call(t, srv.URL, login, "", map[string]any{"email": victim, "password": "squatter password"}).Code; c != "unauthenticated" {
			t.Fatalf("squatter's password after the real owner accepted: %s", c)
		}
		if c := testenv.Call(t, srv.URL, whoAmI, squat.Str("accessToken"), map[string]any{}).Code; c != "unauthenticated" {
			t.Fatalf("squatter's session after the real owner accepted: %s", c)
		}
		testenv.Call(t, srv.URL, login, "", map[string]any{"email": victim, "password": "the real owner pw", "tenantId": ten.ID}).Must(t)

		// An existing verified account only gains the membership: the
		// password in the request does not replace its own.
		other := testenv.NewTenant(t, srv, "invother")
		testenv.Call(t, srv.URL, inviteUser, admin, map[string]any{"email": other.Owner.Email, "role": "ROLE_VIEWER"}).Must(t)
		var otoken string
		testenv.Eventually(t, "invitation mail", func() bool {
			for _, m := range srv.Mail.To(other.Owner.Email) {
				if strings.Contains(m.Subject, "invited") {
					otoken = testenv.LinkToken(t, m.Body)
				}
			}
			return otoken != ""
		})
		testenv.Call(t, srv.URL, acceptInvitation, "", map[string]any{"invitationToken": otoken, "password": "a different one"}).Must(t)
		if c := testenv.Call(t, srv.URL, login, "", map[string]any{"email": other.Owner.Email, "password": "a different one"}).Code; c != "unauthenticated" {
			t.Fatalf("accepting changed an existing account's password: %s", c)
		}
		testenv.Call(t, srv.URL, login, "", map[string]any{"email": other.Owner.Email, "password": testenv.Password, "tenantId": ten.ID}).Must(t)
	})
}

// TestPasswordReset: the request answers alike for known and unknown
// addresses; the mailed token sets a new password once, ends every
// session, and expires.
func TestPasswordReset(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "reset")
		tech := ten.Members["technician"]
		before := testenv.Call(t, srv.URL, login, "", map[string]any{"email": tech.Email, "password": testenv.Password})
		known := testenv.Call(t, srv.URL, requestReset, "", map[string]any{"email": tech.Email})
		unknown := testenv.Call(t, srv.URL, requestReset, "", map[string]any{"email": "nobody-" + uuid.NewString()[:8] + "@example.com"})
		if known.Code != "ok" || unknown.Code != "ok" || string(known.Raw) != string(unknown.Raw) {
			t.Fatalf("reset request differs for known (%s %s) and unknown (%s %s) emails", known.Code, known.Raw, unknown.Code, unknown.Raw)
		}
		token := testenv.LinkToken(t, srv.WaitMail(t, tech.Email, 2).Body) // 1 is the invitation
		if c := testenv.Call(t, srv.URL, resetPassword, "", map[string]any{"resetToken": token, "password": "short"}).Code; c != "invalid_argument" {
			t.Fatalf("short new password: %s", c)
		}
		testenv.Call(t, srv.URL, resetPassword, "", map[string]any{"resetToken": token, "password": "brand new password"}).Must(t)
		if c := testenv.Call(t, srv.URL, whoAmI, before.Str("accessToken"), map[string]any{}).Code; c != "unauthenticated" {
			t.Fatalf("session from before the reset: %s", c)
		}
		if c := testenv.Call(t, srv.URL, refresh, "", map[string]any{"refreshToken": before.Str("refreshToken")}).Code; c != "unauthenticated" {
			t.Fatalf("refresh token from before the reset: %s", c)
		}
		if c := testenv.Call(t, srv.URL, login, "", map[string]any{"email": tech.Email, "password": testenv.Password}).Code; c != "unauthenticated" {
			t.Fatalf("old password after the reset: %s", c)
		}
		testenv.Call(t, srv.URL, login, "", map[string]any{"email": tech.Email, "password": "brand new password"}).Must(t)
		if c := testenv.Call(t, srv.URL, resetPassword, "", map[string]any{"resetToken": token, "password": "another new password"}).Code; c != "not_found" {
			t.Fatalf("reset token used twice: %s, want not_found", c)
		}
		// An expired token is refused.
		testenv.Call(t, srv.URL, requestReset, "", map[string]any{"email": tech.Email}).Must(t)
		token2 := testenv.LinkToken(t, srv.WaitMail(t, tech.Email, 3).Body)
		sys := privacy.DecisionContext(context.Background(), privacy.Allow)
		if err := st.Ent.User.Update().Where(user.Email(tech.Email)).SetResetExpiresAt(time.Now().Add(-time.Minute)).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if c := testenv.Call(t, srv.URL, resetPassword, "", map[string]any{"resetToken": token2, "password": "another new password"}).Code; c != "failed_precondition" {
			t.Fatalf("expired reset token: %s, want failed_precondition", c)
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
		fresh := "fresh-" + uuid.NewString()[:8] + "@example.com"
		taken := testenv.Call(t, srv.URL, signUp, "", map[string]any{"tenantName": "Again", "email": ten.Owner.Email, "password": "some other password"})
		newer := testenv.Call(t, srv.URL, signUp, "", map[string]any{"tenantName": "Fresh", "email": fresh, "password": "some other password"})
		if taken.Code != newer.Code || string(taken.Raw) != string(newer.Raw) || taken.Status != newer.Status {
			t.Fatalf("sign-up differs: taken %s %s, new %s %s", taken.Code, taken.Raw, newer.Code, newer.Raw)
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
		tok := testenv.Call(t, srv.URL, login, "", map[string]any{"email": fresh, "password": "some other password"}).Str("accessToken")
		if me := testenv.Call(t, srv.URL, whoAmI, tok, map[string]any{}); me.Body["user"].(map[string]any)["emailVerified"] == true {
			t.Fatalf("unverified owner reported verified: %s", me.Raw)
		}
		vt := testenv.LinkToken(t, m.Body)
		testenv.Call(t, srv.URL, verifyEmail, "", map[string]any{"verificationToken": vt}).Must(t)
		if c := testenv.Call(t, srv.URL, verifyEmail, "", map[string]any{"verificationToken": vt}).Code; c != "not_found" {
			t.Fatalf("verification token used twice: %s", c)
		}
		if me := testenv.Call(t, srv.URL, whoAmI, tok, map[string]any{}); me.Body["user"].(map[string]any)["emailVerified"] != true {
			t.Fatalf("verified owner reported unverified: %s", me.Raw)
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
		secret := "Secret Name " + uuid.NewString()[:8]
		email := "named-" + uuid.NewString()[:8] + "@example.com"
		testenv.Call(t, srv.URL, signUp, "", map[string]any{"tenantName": "Home", "email": email, "password": testenv.Password, "displayName": secret}).Must(t)
		other := testenv.NewTenant(t, srv, "names")
		owner := other.Login(t, other.Owner)
		inv := testenv.Call(t, srv.URL, inviteUser, owner, map[string]any{"email": email, "role": "ROLE_VIEWER"})
		inv.Must(t)
		if strings.Contains(string(inv.Raw), secret) || inv.Str("user.displayName") != email {
			t.Fatalf("InviteUser shows another tenant's name: %s", inv.Raw)
		}
		if list := testenv.Call(t, srv.URL, listUsers, owner, map[string]any{}); strings.Contains(string(list.Raw), secret) {
			t.Fatalf("ListUsers shows another tenant's name: %s", list.Raw)
		}
		var tok string
		testenv.Eventually(t, "invitation mail", func() bool {
			for _, m := range srv.Mail.To(email) {
				if strings.Contains(m.Subject, "invited") {
					tok = testenv.LinkToken(t, m.Body)
				}
			}
			return tok != ""
		})
		testenv.Call(t, srv.URL, acceptInvitation, "", map[string]any{"invitationToken": tok, "password": testenv.Password}).Must(t)
		if list := testenv.Call(t, srv.URL, listUsers, owner, map[string]any{}); strings.Contains(string(list.Raw), secret) {
			t.Fatalf("ListUsers shows another tenant's name after acceptance: %s", list.Raw)
		}
		// In its own tenant the name is still shown.
		home := testenv.Call(t, srv.URL, login, "", map[string]any{"email": email, "password": testenv.Password})
		if me := testenv.Call(t, srv.URL, whoAmI, home.Str("accessToken"), map[string]any{}); me.Str("user.displayName") != secret {
			t.Fatalf("own tenant lost the name: %s", me.Raw)
		}
	})
}

// TestPublicSignUpOff: with public sign-up turned off, SignUp is
// permission_denied and GetAuthConfig says so.
func TestPublicSignUpOff(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		open := testenv.StartServer(t, st)
		if v := testenv.Call(t, open.URL, getAuthConfig, "", map[string]any{}).Body["publicSignup"]; v != true {
			t.Fatalf("default server: publicSignup %v, want true", v)
		}
		closed := testenv.StartServerWith(t, st, func(c *config.Config) { c.PublicSignup = false })
		if v := testenv.Call(t, closed.URL, getAuthConfig, "", map[string]any{}).Body["publicSignup"]; v == true {
			t.Fatal("closed server: publicSignup true")
		}
		res := testenv.Call(t, closed.URL, signUp, "", map[string]any{"tenantName": "Nope", "email": "nope-" + uuid.NewString()[:8] + "@example.com", "password": testenv.Password})
		if res.Code != "permission_denied" {
			t.Fatalf("SignUp with public sign-up off: %s, want permission_denied", res.Code)
		}
	})
}
