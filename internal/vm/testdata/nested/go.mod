module example.com/vmnested

go 1.26
