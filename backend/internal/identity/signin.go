package identity

import (
	"context"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/store"
)

// IssueSignInTx starts a new session of userID in tenantID, signed in with
// method (e.g. MethodSSO), inside tx, and returns its token pair. The
// caller has established who the user is and that the membership is
// active; the SignInCheck option is asked first.
func (s *Service) IssueSignInTx(ctx context.Context, tx *store.Tx, userID, tenantID uuid.UUID, method string) (*Tokens, error) {
	if err := s.CheckSignIn(ctx, userID, tenantID, method); err != nil {
		return nil, err
	}
	return s.issue(ctx, tx, userID, tenantID, uuid.New(), method)
}
