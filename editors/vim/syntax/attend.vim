" Vim syntax file
" Language:    attend attendance policies (.policy) and policy tests (.test)
" Install:     make install puts this in $PREFIX/share/vim/vimfiles; or copy
"              editors/vim/ into ~/.vim/
if exists("b:current_syntax")
  finish
endif

syn case match

syn keyword attendTop        policy version approved review builds on replaces source end
syn keyword attendTop        code maps to register session opens closes arriving after in is
syn keyword attendTop        let schedule target leave notice retain letter letterhead action by
syn keyword attendRule       flag stage penalty when consider first second notice within
syn keyword attendRule       at most notices years otherwise unpaid
syn keyword attendCategory   present educational authorised unauthorised possible not
syn keyword attendMeasure    rate sessions days consecutive absent coded since weeks school
syn keyword attendMeasure    last this half term year from until counts toward any of longest run
syn keyword attendOperator   and or
syn keyword attendTest       test marks expect history as of none no measure counted
syn keyword attendBuiltin    persistent_absence severe_absence

syn match   attendDate       "\<\d\{4}-\d\d-\d\d\>"
syn match   attendTime       "\<\d\d:\d\d\>"
syn match   attendNumber     "£\?\<\d\+\(\.\d\+\)\?%\?"
syn match   attendComparison "[<>]=\?\|!=\|="
" Strings have no escapes: "\" is the afternoon present code.
syn region  attendString     start=+"+ end=+"+ oneline
syn region  attendText       start=+"""+ end=+"""+ contains=attendPlaceholder
syn match   attendPlaceholder "{[^}]*}" contained
syn match   attendComment    "#.*$" contains=attendTodo
" In a test's marks string, [#] is the closure code, not a comment.
syn match   attendMarkCode   "\[[^]]*\]"
syn keyword attendTodo       contained TODO FIXME XXX NOTE
syn match   attendGap        "LANGUAGE GAP" containedin=attendComment contained

hi def link attendTop        Keyword
hi def link attendRule       Statement
hi def link attendCategory   Type
hi def link attendMeasure    Identifier
hi def link attendOperator   Operator
hi def link attendTest       PreProc
hi def link attendBuiltin    Constant
hi def link attendDate       Number
hi def link attendTime       Number
hi def link attendNumber     Number
hi def link attendComparison Operator
hi def link attendString     String
hi def link attendMarkCode   Constant
hi def link attendText       String
hi def link attendPlaceholder Special
hi def link attendComment    Comment
hi def link attendTodo       Todo
hi def link attendGap        Todo

let b:current_syntax = "attend"
