// Package mail sends the few messages Wegweiser mails to users: email
// verification, invitations and password resets. Sender has two
// implementations: SMTP (WEGWEISER_SMTP_URL) and Log, the embedded default,
// which only writes each message, link included, to the server log.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Message is one plain-text mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Log is the default Sender without SMTP: it writes each message to the log
// so an operator (or `make run`) can follow the links.
type Log struct{ Log *slog.Logger }

// Send implements Sender.
func (l Log) Send(ctx context.Context, m Message) error {
	l.Log.InfoContext(ctx, "mail not sent (no WEGWEISER_SMTP_URL); its content follows", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// SMTP sends through an SMTP server: smtp://user:pass@host:587 (STARTTLS
// when the server offers it; credentials only over TLS) or
// smtps://user:pass@host:465 (TLS from the start).
type SMTP struct {
	addr, host string
	implicit   bool
	auth       smtp.Auth
	from       string
}

// NewSMTP parses rawURL and returns an SMTP sender mailing from from.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse SMTP URL: %w", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, fmt.Errorf("SMTP URL must start with smtp:// or smtps://")
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("SMTP URL has no host")
	}
	port := u.Port()
	if port == "" {
		port = "587"
		if u.Scheme == "smtps" {
			port = "465"
		}
	}
	if _, err := parseFrom(from); err != nil {
		return nil, err
	}
	s := &SMTP{addr: net.JoinHostPort(host, port), host: host, implicit: u.Scheme == "smtps", from: from}
	if u.User != nil {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, host)
	}
	return s, nil
}

func parseFrom(from string) (string, error) {
	from = strings.TrimSpace(from)
	if from == "" || strings.ContainsAny(from, "\r\n") || !strings.Contains(from, "@") {
		return "", fmt.Errorf("mail sender address %q is not valid", from)
	}
	return from, nil
}

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return errors.New("mail header contains a line break")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d := net.Dialer{}
	var conn net.Conn
	var err error
	if s.implicit {
		td := tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}}
		conn, err = td.DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("connect to SMTP server %s: %w", s.addr, err)
	}
	defer func() { _ = conn.Close() }()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer func() { _ = c.Close() }()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}); err != nil {
				return fmt.Errorf("SMTP STARTTLS: %w", err)
			}
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("SMTP authentication: %w", err)
		}
	}
	if err := c.Mail(s.from); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	msg := "From: " + s.from + "\r\nTo: " + m.To + "\r\nSubject: " + m.Subject +
		"\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n")
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("SMTP write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP end of data: %w", err)
	}
	return c.Quit()
}

// Recorder keeps every message instead of sending it (for tests).
type Recorder struct {
	mu   sync.Mutex
	msgs []Message
}

// Send implements Sender.
func (r *Recorder) Send(_ context.Context, m Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

// To returns the messages sent to address, oldest first.
func (r *Recorder) To(address string) []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Message
	for _, m := range r.msgs {
		if strings.EqualFold(m.To, address) {
			out = append(out, m)
		}
	}
	return out
}

// Count returns how many messages were sent.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}
