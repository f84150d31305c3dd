"""Cached handles on the JDK classes that ``jbgen.asm.assemble`` uses.

Looking a Java class up through JPype (``from java.lang.classfile import X``
or ``jpype.JClass``) costs tens of microseconds; the assembler touches a few
dozen classes millions of times, so they are resolved once, here, into the
attributes of a :class:`Jdk` object returned by :func:`jdk`.

Private to ``jbgen.asm``.  Calling :func:`jdk` starts the embedded JVM.  Must
not print.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from jbgen import jvm

_lock = threading.Lock()
_jdk: Jdk | None = None

_CLASSES = {
    # java.lang.classfile
    "ClassFile": "java.lang.classfile.ClassFile",
    "ClassHierarchyResolver": "java.lang.classfile.ClassHierarchyResolver",
    "Opcode": "java.lang.classfile.Opcode",
    "TypeKind": "java.lang.classfile.TypeKind",
    "Annotation": "java.lang.classfile.Annotation",
    "AnnotationElement": "java.lang.classfile.AnnotationElement",
    "AnnotationValue": "java.lang.classfile.AnnotationValue",
    "TypeAnnotation": "java.lang.classfile.TypeAnnotation",
    "TargetInfo": "java.lang.classfile.TypeAnnotation$TargetInfo",
    "TargetType": "java.lang.classfile.TypeAnnotation$TargetType",
    "TypePathComponent": "java.lang.classfile.TypeAnnotation$TypePathComponent",
    "TypePathKind": "java.lang.classfile.TypeAnnotation$TypePathComponent$Kind",
    "LocalVarTargetInfo": "java.lang.classfile.TypeAnnotation$LocalVarTargetInfo",
    "ClassHierarchyResolverOption": "java.lang.classfile.ClassFile$ClassHierarchyResolverOption",
    "StackMapsOption": "java.lang.classfile.ClassFile$StackMapsOption",
    "ShortJumpsOption": "java.lang.classfile.ClassFile$ShortJumpsOption",
    "ConstantPoolBuilder": "java.lang.classfile.constantpool.ConstantPoolBuilder",
    "Utf8Entry": "java.lang.classfile.constantpool.Utf8Entry",
    "InterfaceMethodRefEntry": "java.lang.classfile.constantpool.InterfaceMethodRefEntry",
    "Attributes": "java.lang.classfile.Attributes",
    "Instruction": "java.lang.classfile.Instruction",
    # java.lang.classfile.instruction
    "ArrayLoadInstruction": "java.lang.classfile.instruction.ArrayLoadInstruction",
    "ArrayStoreInstruction": "java.lang.classfile.instruction.ArrayStoreInstruction",
    "BranchInstruction": "java.lang.classfile.instruction.BranchInstruction",
    "ConstantInstruction": "java.lang.classfile.instruction.ConstantInstruction",
    "ConvertInstruction": "java.lang.classfile.instruction.ConvertInstruction",
    "JsrInstruction": "java.lang.classfile.instruction.DiscontinuedInstruction$JsrInstruction",
    "RetInstruction": "java.lang.classfile.instruction.DiscontinuedInstruction$RetInstruction",
    "ExceptionCatch": "java.lang.classfile.instruction.ExceptionCatch",
    "FieldInstruction": "java.lang.classfile.instruction.FieldInstruction",
    "IncrementInstruction": "java.lang.classfile.instruction.IncrementInstruction",
    "InvokeDynamicInstruction": "java.lang.classfile.instruction.InvokeDynamicInstruction",
    "InvokeInstruction": "java.lang.classfile.instruction.InvokeInstruction",
    "LineNumber": "java.lang.classfile.instruction.LineNumber",
    "LoadInstruction": "java.lang.classfile.instruction.LoadInstruction",
    "LocalVariable": "java.lang.classfile.instruction.LocalVariable",
    "LocalVariableType": "java.lang.classfile.instruction.LocalVariableType",
    "LookupSwitchInstruction": "java.lang.classfile.instruction.LookupSwitchInstruction",
    "MonitorInstruction": "java.lang.classfile.instruction.MonitorInstruction",
    "NewMultiArrayInstruction": "java.lang.classfile.instruction.NewMultiArrayInstruction",
    "NewObjectInstruction": "java.lang.classfile.instruction.NewObjectInstruction",
    "NewPrimitiveArrayInstruction": "java.lang.classfile.instruction.NewPrimitiveArrayInstruction",
    "NewReferenceArrayInstruction": "java.lang.classfile.instruction.NewReferenceArrayInstruction",
    "NopInstruction": "java.lang.classfile.instruction.NopInstruction",
    "OperatorInstruction": "java.lang.classfile.instruction.OperatorInstruction",
    "ReturnInstruction": "java.lang.classfile.instruction.ReturnInstruction",
    "StackInstruction": "java.lang.classfile.instruction.StackInstruction",
    "StoreInstruction": "java.lang.classfile.instruction.StoreInstruction",
    "SwitchCase": "java.lang.classfile.instruction.SwitchCase",
    "TableSwitchInstruction": "java.lang.classfile.instruction.TableSwitchInstruction",
    "ThrowInstruction": "java.lang.classfile.instruction.ThrowInstruction",
    "TypeCheckInstruction": "java.lang.classfile.instruction.TypeCheckInstruction",
    "UnknownAttribute": "java.lang.classfile.attribute.UnknownAttribute",
    # java.lang.classfile.attribute
    "AnnotationDefaultAttribute": "java.lang.classfile.attribute.AnnotationDefaultAttribute",
    "CompilationIDAttribute": "java.lang.classfile.attribute.CompilationIDAttribute",
    "ConstantValueAttribute": "java.lang.classfile.attribute.ConstantValueAttribute",
    "DeprecatedAttribute": "java.lang.classfile.attribute.DeprecatedAttribute",
    "EnclosingMethodAttribute": "java.lang.classfile.attribute.EnclosingMethodAttribute",
    "ExceptionsAttribute": "java.lang.classfile.attribute.ExceptionsAttribute",
    "InnerClassInfo": "java.lang.classfile.attribute.InnerClassInfo",
    "InnerClassesAttribute": "java.lang.classfile.attribute.InnerClassesAttribute",
    "MethodParameterInfo": "java.lang.classfile.attribute.MethodParameterInfo",
    "MethodParametersAttribute": "java.lang.classfile.attribute.MethodParametersAttribute",
    "ModuleAttribute": "java.lang.classfile.attribute.ModuleAttribute",
    "ModuleExportInfo": "java.lang.classfile.attribute.ModuleExportInfo",
    "ModuleHashInfo": "java.lang.classfile.attribute.ModuleHashInfo",
    "ModuleHashesAttribute": "java.lang.classfile.attribute.ModuleHashesAttribute",
    "ModuleMainClassAttribute": "java.lang.classfile.attribute.ModuleMainClassAttribute",
    "ModuleOpenInfo": "java.lang.classfile.attribute.ModuleOpenInfo",
    "ModulePackagesAttribute": "java.lang.classfile.attribute.ModulePackagesAttribute",
    "ModuleProvideInfo": "java.lang.classfile.attribute.ModuleProvideInfo",
    "ModuleRequireInfo": "java.lang.classfile.attribute.ModuleRequireInfo",
    "ModuleResolutionAttribute": "java.lang.classfile.attribute.ModuleResolutionAttribute",
    "ModuleTargetAttribute": "java.lang.classfile.attribute.ModuleTargetAttribute",
    "NestHostAttribute": "java.lang.classfile.attribute.NestHostAttribute",
    "NestMembersAttribute": "java.lang.classfile.attribute.NestMembersAttribute",
    "PermittedSubclassesAttribute": "java.lang.classfile.attribute.PermittedSubclassesAttribute",
    "RecordAttribute": "java.lang.classfile.attribute.RecordAttribute",
    "RecordComponentInfo": "java.lang.classfile.attribute.RecordComponentInfo",
    "RuntimeInvisibleAnnotationsAttribute": "java.lang.classfile.attribute.RuntimeInvisibleAnnotationsAttribute",
    "RuntimeInvisibleParameterAnnotationsAttribute": "java.lang.classfile.attribute.RuntimeInvisibleParameterAnnotationsAttribute",
    "RuntimeInvisibleTypeAnnotationsAttribute": "java.lang.classfile.attribute.RuntimeInvisibleTypeAnnotationsAttribute",
    "RuntimeVisibleAnnotationsAttribute": "java.lang.classfile.attribute.RuntimeVisibleAnnotationsAttribute",
    "RuntimeVisibleParameterAnnotationsAttribute": "java.lang.classfile.attribute.RuntimeVisibleParameterAnnotationsAttribute",
    "RuntimeVisibleTypeAnnotationsAttribute": "java.lang.classfile.attribute.RuntimeVisibleTypeAnnotationsAttribute",
    "SignatureAttribute": "java.lang.classfile.attribute.SignatureAttribute",
    "SourceDebugExtensionAttribute": "java.lang.classfile.attribute.SourceDebugExtensionAttribute",
    "SourceFileAttribute": "java.lang.classfile.attribute.SourceFileAttribute",
    "SourceIDAttribute": "java.lang.classfile.attribute.SourceIDAttribute",
    "SyntheticAttribute": "java.lang.classfile.attribute.SyntheticAttribute",
    # java.lang and java.util
    "Class": "java.lang.Class",
    "ClassLoader": "java.lang.ClassLoader",
    "Float": "java.lang.Float",
    "Double": "java.lang.Double",
    "String": "java.lang.String",
    "Object": "java.lang.Object",
    "Void": "java.lang.Void",
    "ArrayList": "java.util.ArrayList",
    "HashMap": "java.util.HashMap",
    "ClassDesc": "java.lang.constant.ClassDesc",
    "Arrays": "java.util.Arrays",
    "Optional": "java.util.Optional",
    "Consumer": "java.util.function.Consumer",
    "MethodHandles": "java.lang.invoke.MethodHandles",
    "MethodHandleProxies": "java.lang.invoke.MethodHandleProxies",
    "MethodType": "java.lang.invoke.MethodType",
    "File": "java.io.File",
    "URL": "java.net.URL",
    "URLClassLoader": "java.net.URLClassLoader",
}


class Jdk:
    """Attribute access to the JDK classes in ``_CLASSES``, each looked up on first use.

    Making JPype's wrapper of a Java class costs milliseconds, so a class is
    only looked up when some code path needs it: assembling a small class
    touches a fraction of the list.
    """

    def __init__(self) -> None:
        import jpype

        self.JArray = jpype.JArray
        self.JChar = jpype.JChar
        self.JByte = jpype.JByte
        self.JLong = jpype.JLong
        self.JInt = jpype.JInt
        self.JException = jpype.JException
        self.JClass = jpype.JClass
        self.JImplements = jpype.JImplements
        self.JOverride = jpype.JOverride
        self._jclass = jpype.JClass

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not set yet: look the class up and keep it.
        qualified = _CLASSES.get(name)
        if qualified is None:
            raise AttributeError(name)
        value = self._jclass(qualified)
        setattr(self, name, value)
        return value

    @functools.cached_property
    def Optional_empty(self) -> Any:  # noqa: N802  (named after the Java value)
        return self.Optional.empty()

    @functools.cached_property
    def noop_consumer(self) -> Any:
        """A Consumer that does nothing, made in Java.

        withMethod/withField need a handler even when there is nothing to add;
        a method handle turned into an interface instance costs no Python
        callback when the JDK calls it.
        """
        mt = self.MethodType.methodType(self.Void.TYPE, self.Object)
        return self.MethodHandleProxies.asInterfaceInstance(
            self.Consumer, self.MethodHandles.empty(mt)
        )


def jdk() -> Jdk:
    """The JDK handles, loaded once (starts the JVM on first use)."""
    global _jdk
    if _jdk is None:
        jvm.start()
        with _lock:
            if _jdk is None:
                _jdk = Jdk()
    return _jdk
