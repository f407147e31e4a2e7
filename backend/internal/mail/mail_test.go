package mail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"
)

// fakeSMTP accepts one message on a local port and returns what it got.
func fakeSMTP(t *testing.T) (addr string, got chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	got = make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer func() { _ = c.Close() }()
		r := bufio.NewReader(c)
		say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
		say("220 fake")
		var transcript strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			transcript.WriteString(line)
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250 fake")
			case strings.HasPrefix(cmd, "DATA"):
				say("354 go on")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					transcript.WriteString(l)
				}
				say("250 queued")
			case strings.HasPrefix(cmd, "QUIT"):
				say("221 bye")
				got <- transcript.String()
				return
			default:
				say("250 ok")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTPSends(t *testing.T) {
	addr, got := fakeSMTP(t)
	s, err := NewSMTP("smtp://"+addr, "wegweiser@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), Message{To: "ada@example.com", Subject: "Hello", Body: "line one\nhttp://x/verify-email?token=abc\n"}); err != nil {
		t.Fatal(err)
	}
	tr := <-got
	for _, want := range []string{"MAIL FROM:<wegweiser@example.com>", "RCPT TO:<ada@example.com>", "Subject: Hello", "token=abc"} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
}

func TestSMTPRefusesHeaderInjection(t *testing.T) {
	s, err := NewSMTP("smtp://127.0.0.1:1", "wegweiser@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), Message{To: "a@example.com\r\nBcc: b@example.com", Subject: "x"}); err == nil {
		t.Fatal("line break in a header accepted")
	}
}

func TestNewSMTPChecksURL(t *testing.T) {
	for _, bad := range []string{"http://host", "smtp://", "::"} {
		if _, err := NewSMTP(bad, "a@example.com"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := NewSMTP("smtp://u:p@mail.example.com:587", "no-at-sign"); err == nil {
		t.Error("sender without @ accepted")
	}
}

func TestComposeAttachesFiles(t *testing.T) {
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 250}, 100)...)
	raw, err := Compose("wegweiser@example.com", Message{
		To: "a@example.com", Subject: "Health report – Acme", Body: "Hello\nsee attached",
		Attachments: []Attachment{{Name: "acme-health-2026-11.pdf", ContentType: "application/pdf", Data: pdf}},
	}, time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q: %v", mt, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	text, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(text); string(b) != "Hello\r\nsee attached" {
		t.Errorf("body %q", b)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if att.FileName() != "acme-health-2026-11.pdf" {
		t.Errorf("file name %q", att.FileName())
	}
	data, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, att))
	if err != nil || !bytes.Equal(data, pdf) {
		t.Errorf("attachment differs (%v)", err)
	}
	if _, err := Compose("w@example.com", Message{To: "a@example.com", Subject: "x",
		Attachments: []Attachment{{Name: "a\r\nBcc: x@example.com", ContentType: "text/html"}}}, time.Now()); err == nil {
		t.Error("a line break in an attachment name was accepted")
	}
}
