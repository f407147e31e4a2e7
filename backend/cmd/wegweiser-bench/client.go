package main

import (
	"net/http"
	"time"
)

// http2Client keeps enough idle connections for the concurrent clients.
var http2Client = http.Client{
	Timeout: 60 * time.Second,
	Transport: &http.Transport{
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	},
}
