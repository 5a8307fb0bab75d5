package xrpc

import (
	"context"
	"errors"
	"strings"

	"github.com/hearthpds/hearth/backend/store"
)

// inviteCodeView is com.atproto.server.defs#inviteCode.
type inviteCodeView struct {
	Code       string          `json:"code"`
	Available  int             `json:"available"`
	Disabled   bool            `json:"disabled"`
	ForAccount string          `json:"forAccount"`
	CreatedBy  string          `json:"createdBy"`
	CreatedAt  string          `json:"createdAt"`
	Uses       []inviteUseView `json:"uses"`
}

type inviteUseView struct {
	UsedBy string `json:"usedBy"`
	UsedAt string `json:"usedAt"`
}

func toInviteView(c store.InviteCode) inviteCodeView {
	v := inviteCodeView{Code: c.Code, Available: c.AvailableUses, Disabled: c.Disabled, ForAccount: c.ForAccount,
		CreatedBy: c.CreatedBy, CreatedAt: formatTime(c.CreatedAt), Uses: make([]inviteUseView, 0, len(c.Uses))}
	for _, u := range c.Uses {
		v.Uses = append(v.Uses, inviteUseView{UsedBy: u.UsedBy, UsedAt: formatTime(u.UsedAt)})
	}
	return v
}

func toInviteViews(codes []store.InviteCode) []inviteCodeView {
	out := make([]inviteCodeView, 0, len(codes))
	for _, c := range codes {
		out = append(out, toInviteView(c))
	}
	return out
}

type inviteCodesOut struct {
	Cursor string           `json:"cursor,omitempty"`
	Codes  []inviteCodeView `json:"codes"`
}

func (h *AdminHandlers) getInviteCodes(ctx context.Context, c *Call) (any, error) {
	sort, _ := c.Str("sort", false)
	if sort == "" {
		sort = "recent"
	}
	if sort != "recent" && sort != "usage" {
		return nil, invalidRequest("unknown sort method: %s", sort)
	}
	limit, err := c.Int("limit", 100, 1, 500)
	if err != nil {
		return nil, err
	}
	cursor, _ := c.Str("cursor", false)
	if !plausibleInviteCursor(cursor) {
		return nil, invalidRequest("Malformed cursor")
	}
	codes, next, err := h.Store.ListAllInviteCodes(ctx, sort, cursor, limit)
	if err != nil {
		return nil, err
	}
	return inviteCodesOut{Cursor: next, Codes: toInviteViews(codes)}, nil
}

// plausibleInviteCursor checks the shape both drivers give their invite
// cursors ("<uses>:<created>:<code>"), so that a mangled cursor is a 400
// rather than a storage error.
func plausibleInviteCursor(c string) bool {
	if c == "" {
		return true
	}
	parts := strings.SplitN(c, ":", 3)
	if len(parts) != 3 || parts[2] == "" {
		return false
	}
	for _, p := range parts[:2] {
		if p == "" || strings.Trim(p, "0123456789") != "" || len(p) > 19 {
			return false
		}
	}
	return true
}

type disableInviteCodesIn struct {
	Codes    []string `json:"codes"`
	Accounts []string `json:"accounts"`
}

func (h *AdminHandlers) disableInviteCodes(ctx context.Context, c *Call) (any, error) {
	var in disableInviteCodesIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	for _, a := range in.Accounts {
		if a == "admin" {
			return nil, invalidRequest("cannot disable admin invite codes")
		}
	}
	return nil, h.Store.DisableInviteCodes(ctx, in.Codes, in.Accounts)
}

type accountIn struct {
	Account string `json:"account"`
}

func (h *AdminHandlers) setAccountInvites(disabled bool) HandlerFunc {
	return func(ctx context.Context, c *Call) (any, error) {
		var in accountIn
		if err := c.Decode(&in); err != nil {
			return nil, err
		}
		did, err := didField("account", in.Account)
		if err != nil {
			return nil, err
		}
		err = h.Store.SetInvitesDisabled(ctx, did, disabled)
		if errors.Is(err, store.ErrNotFound) {
			return nil, adminNotFound("Account")
		}
		return nil, err
	}
}

type accountInviteCodesOut struct {
	Codes []inviteCodeView `json:"codes"`
}

// getAccountInviteCodes lists the caller's own usable invite codes (used
// ones too unless includeUsed=false). A full session only, as in the
// reference PDS. Hearth earns no codes over time, so createAvailable has
// nothing to create.
func (h *AdminHandlers) getAccountInviteCodes(ctx context.Context, c *Call) (any, error) {
	if err := requireFullSession(c.Viewer); err != nil {
		return nil, err
	}
	includeUsed, err := c.Bool("includeUsed")
	if err != nil {
		return nil, err
	}
	if _, err := c.Bool("createAvailable"); err != nil {
		return nil, err
	}
	if _, err := h.account(ctx, c.Viewer.DID); err != nil {
		return nil, err
	}
	codes, err := h.Store.ListInviteCodes(ctx, c.Viewer.DID)
	if err != nil {
		return nil, err
	}
	out := accountInviteCodesOut{Codes: []inviteCodeView{}}
	for _, code := range codes {
		usedUp := len(code.Uses) >= code.AvailableUses
		if code.Disabled || (usedUp && includeUsed != nil && !*includeUsed) {
			continue
		}
		out.Codes = append(out.Codes, toInviteView(code))
	}
	return out, nil
}
