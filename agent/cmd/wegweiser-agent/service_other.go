//go:build !windows

package main

import "context"

// serviceContext returns ctx: only Windows has a service control manager
// to answer (see service_windows.go).
func serviceContext(ctx context.Context) (_ context.Context, done func()) {
	return ctx, func() {}
}
