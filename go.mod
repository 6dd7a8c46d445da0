module github.com/seesaw-lb/seesaw

go 1.26
