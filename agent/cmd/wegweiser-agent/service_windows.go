//go:build windows

package main

import (
	"context"

	"golang.org/x/sys/windows/svc"
)

// windowsServiceName is the service the .msi installs (see
// agent/internal/packaging).
const windowsServiceName = "WegweiserAgent"

// serviceContext, when the process was started by the Windows service
// control manager (the .msi installs the agent as a service), reports the
// service running and cancels the returned context on a stop or shutdown
// request; done must be called when the agent has stopped. Started any
// other way it returns ctx unchanged.
func serviceContext(ctx context.Context) (_ context.Context, done func()) {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		_ = svc.Run(windowsServiceName, serviceHandler{cancel: cancel, stopped: stopped})
		cancel()
	}()
	return ctx, func() {
		cancel()
		close(stopped)
		<-finished
	}
}

// serviceHandler answers the service control manager.
type serviceHandler struct {
	cancel  context.CancelFunc
	stopped <-chan struct{}
}

// Execute implements svc.Handler.
func (h serviceHandler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case <-h.stopped:
			status <- svc.Status{State: svc.StopPending}
			return false, 0
		case r := <-req:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				h.cancel()
				<-h.stopped
				return false, 0
			}
		}
	}
}
