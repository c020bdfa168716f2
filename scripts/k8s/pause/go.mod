module giftflow.local/pause

go 1.21
