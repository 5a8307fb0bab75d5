package account

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

var inviteEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newInviteCode makes a code shaped like the reference PDS's:
// "<host>-xxxxx-xxxxx".
func newInviteCode(host string) (string, error) {
	b := make([]byte, 7)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("invite code: %w", err)
	}
	s := strings.ToLower(inviteEncoding.EncodeToString(b))
	prefix := strings.ReplaceAll(host, ".", "-")
	return fmt.Sprintf("%s-%s-%s", prefix, s[:5], s[5:10]), nil
}

// CreateInviteCodes makes count codes of useCount uses for each account in
// forAccounts ("admin" for operator codes) and returns them by account.
func (s *Service) CreateInviteCodes(ctx context.Context, host string, count, useCount int, forAccounts []string, createdBy string) (map[string][]string, error) {
	out := make(map[string][]string, len(forAccounts))
	var codes []store.InviteCode
	now := s.now().UTC().Truncate(time.Millisecond)
	for _, acct := range forAccounts {
		for i := 0; i < count; i++ {
			code, err := newInviteCode(host)
			if err != nil {
				return nil, err
			}
			codes = append(codes, store.InviteCode{Code: code, ForAccount: acct, CreatedBy: createdBy, AvailableUses: useCount, CreatedAt: now})
			out[acct] = append(out[acct], code)
		}
	}
	if err := s.cfg.Store.CreateInviteCodes(ctx, codes); err != nil {
		return nil, fmt.Errorf("create invite codes: %w", err)
	}
	return out, nil
}
