package xrpc

import "context"

// TempHandlers serves the unspecced com.atproto.temp.* methods the
// reference PDS answers.
type TempHandlers struct{}

// Methods returns the methods to register.
func (h *TempHandlers) Methods() []Method {
	return []Method{
		{NSID: "com.atproto.temp.checkSignupQueue", Kind: Query, Auth: AccessAuth, Handler: h.checkSignupQueue},
	}
}

type signupQueueOut struct {
	Activated bool `json:"activated"`
}

// checkSignupQueue: Hearth has no sign-up queue, so every account is
// activated, as a reference PDS without an entryway answers.
func (h *TempHandlers) checkSignupQueue(context.Context, *Call) (any, error) {
	return signupQueueOut{Activated: true}, nil
}
