package identity

import (
	"context"
	"math"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
)

// Sign-in throttling. Keys are ratelimit.Key hashes of a normalised email
// or source address, never what the client sent.
//
// Per account: MaxLoginFailures failures within LoginFailureWindow put the
// account into slow mode: from then on one login attempt per
// AccountAttemptInterval is let through (others get resource_exhausted with
// the seconds to wait), and a correct password still succeeds. Nobody can
// lock the real user out; an attacker gets one guess per interval.
//
// Per source address: failed logins (and attempts refused by slow mode)
// past MaxAddressFailures within AddressFailureWindow block the address
// until the window moves on. SignUp and RequestPasswordReset (they send
// mail) and the token procedures (AcceptInvitation, VerifyEmail,
// ResetPassword) and Refresh are counted per address as well.
const (
	MaxLoginFailures       = 10
	LoginFailureWindow     = 5 * time.Minute
	AccountAttemptInterval = 3 * time.Second

	MaxAddressFailures   = 30
	AddressFailureWindow = 15 * time.Minute

	MaxAddressMailRequests = 20
	AddressMailWindow      = time.Hour

	MaxAddressTokenUses = 60
	AddressTokenWindow  = 10 * time.Minute

	MaxAddressRefreshes  = 300
	AddressRefreshWindow = 10 * time.Minute

	// MaxMailsPerAccount bounds mails to one address (verification,
	// "you already have an account", password reset, invitations).
	MaxMailsPerAccount = 5
	AccountMailWindow  = time.Hour
)

// Limits are the limiters of the sign-in throttles.
type Limits struct {
	// AccountFailures counts failed logins per account.
	AccountFailures ratelimit.Limiter
	// AccountAttempts lets one attempt per AccountAttemptInterval through
	// for an account in slow mode.
	AccountAttempts ratelimit.Limiter
	// AddressFailures counts failed logins per source address.
	AddressFailures ratelimit.Limiter
	// AddressMail counts SignUp and RequestPasswordReset per address.
	AddressMail ratelimit.Limiter
	// AddressTokens counts AcceptInvitation, VerifyEmail and ResetPassword
	// per address.
	AddressTokens ratelimit.Limiter
	// AddressRefresh counts Refresh per address.
	AddressRefresh ratelimit.Limiter
	// AccountMail counts mails sent to one address.
	AccountMail ratelimit.Limiter
}

// NewLimits builds the limiters with mk(name, limit, period), e.g. one
// Redis limiter per name.
func NewLimits(mk func(name string, limit int, period time.Duration) ratelimit.Limiter) *Limits {
	return &Limits{
		AccountFailures: mk("login-failures", MaxLoginFailures, LoginFailureWindow),
		AccountAttempts: mk("login-slow", 1, AccountAttemptInterval),
		AddressFailures: mk("login-address", MaxAddressFailures, AddressFailureWindow),
		AddressMail:     mk("mail-address", MaxAddressMailRequests, AddressMailWindow),
		AddressTokens:   mk("token-address", MaxAddressTokenUses, AddressTokenWindow),
		AddressRefresh:  mk("refresh-address", MaxAddressRefreshes, AddressRefreshWindow),
		AccountMail:     mk("mail-account", MaxMailsPerAccount, AccountMailWindow),
	}
}

// MemoryLimits returns Limits counted in this process.
func MemoryLimits() *Limits {
	return NewLimits(func(_ string, limit int, period time.Duration) ratelimit.Limiter {
		return ratelimit.Memory{Window: ratelimit.NewWindow(limit, period)}
	})
}

// retrySeconds rounds a wait up to whole seconds, at least one.
func retrySeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

// admitAddress counts one call of kind from addr in l and refuses it when
// the address has used up its budget.
func admitAddress(ctx context.Context, l ratelimit.Limiter, kind, addr, what string) error {
	key := ratelimit.Key(kind, addr)
	if blocked, wait := l.Blocked(ctx, key); blocked {
		return apperr.ResourceExhausted(retrySeconds(wait), "too many %s from your address; try again later", what)
	}
	l.Add(ctx, key)
	return nil
}

// mayMail reports whether another mail to email fits its budget, and
// counts it.
func (s *Service) mayMail(ctx context.Context, email string) bool {
	key := ratelimit.Key("mail-account", email)
	if blocked, _ := s.limits.AccountMail.Blocked(ctx, key); blocked {
		s.log.WarnContext(ctx, "mail to this address throttled", "limit", MaxMailsPerAccount)
		return false
	}
	s.limits.AccountMail.Add(ctx, key)
	return true
}
