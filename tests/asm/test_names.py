"""Java-style names <-> internal names: the rules of ``jbgen.asm.names``, and its caches."""

from __future__ import annotations

from jbgen.asm.names import Names, is_bare_name, near_miss, split_method_desc


def test_near_miss_finds_typos_of_primitives_and_java_lang() -> None:
    assert near_miss("Strng") == "String"
    assert near_miss("integer") == "Integer"
    assert near_miss("Intger") == "Integer"
    assert near_miss("bolean") == "boolean"
    assert near_miss("STRING") == "String"
    assert near_miss("String") is None
    assert near_miss("Character$UnicodeBlock") is None
    assert near_miss("HashMap") is None
    assert near_miss("X") is None


def test_class_text_depends_on_package_imports_and_the_class_itself() -> None:
    n = Names("java/util/Map")
    assert n.class_text("java/util/Map") == "Map"
    assert n.class_text("java/util/List") == "List"
    assert n.class_text("java/lang/String") == "String"
    assert n.class_text("java/io/File") == "java.io.File"
    assert n.class_text("java/util/Strng") == "java.util.Strng"  # a typo-like name stays qualified
    other = Names("java/io/Reader")
    assert other.class_text("java/util/List") == "java.util.List"
    assert other.class_text("java/io/File") == "File"
    # A class named like a java.lang one in its own package shadows it.
    own = Names("x/y/String")
    assert own.class_text("x/y/String") == "String"
    assert own.class_text("java/lang/String") == "java.lang.String"
    assert own.desc_text("[Ljava/lang/String;") == "java.lang.String[]"


def test_imports_change_texts_already_made() -> None:
    n = Names("a/B")
    assert n.desc_text("Lx/y/List;") == "x.y.List"
    assert n.method_desc_text("(Lx/y/List;I)V") == "(x.y.List,int)void"
    assert n.add_import("x/y/List") == "List"
    assert n.desc_text("Lx/y/List;") == "List"
    assert n.method_desc_text("(Lx/y/List;I)V") == "(List,int)void"
    # An imported simple name hides the same-package class of that name.
    assert n.class_text("a/List") == "a.List"


def test_split_method_desc_gives_a_fresh_list() -> None:
    params, ret = split_method_desc("(I[JLjava/lang/String;)V")
    assert (params, ret) == (["I", "[J", "Ljava/lang/String;"], "V")
    params.append("Z")
    assert split_method_desc("(I[JLjava/lang/String;)V")[0] == ["I", "[J", "Ljava/lang/String;"]


def test_bare_names() -> None:
    assert is_bare_name("foo$1")
    assert is_bare_name("<init>")
    assert not is_bare_name("1x")
    assert not is_bare_name("a b")
    assert not is_bare_name("")
