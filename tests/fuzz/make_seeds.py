"""Writes the fuzz targets' starting inputs into the folder given (one sub-folder a target):
the real import files of tests/data and hand-made edge cases, each behind the selector byte
the target reads first (see headtail_core::fuzzing)."""
import io
import os
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1]

CUSTOMERS = "客户编号,姓名,手机,邮箱,地区,标签,渠道\nC100,李娜,13911112222,li@example.com,北京,vip;new,微信\nC101,\"Wang, Fang\",'13922223333,,上海,,门店\n"
ORDERS = "订单号,手机,下单日期,金额,商品,数量\nA1,13800138000,05/01/2024,￥1,234.50,茶叶,2\nA2,13800138000,25/01/2024 10:15,(300.00),茶具,1\nA3,13900139000,2024年3月1日,99元,,\n"
INTERACTIONS = "external_id,date,interaction_type,outcome,notes,next_follow_up\nC001,2024-02-01 09:00,call,interested,rang back,2024-02-08\n"
SURVEYS = "email,date,survey_type,score,comment\nzhang@example.com,2024-03-05,nps,9,很好\nbuyer@acme.test,45000,csat,3,slow\n"
COMPLAINTS = "phone,date,severity,status,description,resolved_at\n13800138000,2024-04-01,high,open,broken lid,\n"
EDGE = [
    "",
    "\n\n\n",
    "a\n",
    "name;phone;date\r\n张伟;138****2222;2024/1/5\r\n",
    "name\tamount\n\"unterminated\tquote\n",
    '"a""b",c\n"x\ny",z\n',
    "\ufeffname,phone\n=\"13800138000\",\t2024-01-01\n",
    "name,amount\nx,1e308\ny,-0.000\nz,99999999999999999999\n",
    "name,date\nx,31/02/2024\ny,2024-13-45\nz,00000\n",
    "|".join(["h"] * 300) + "\n" + "|".join(["v"] * 300) + "\n",
]


def write(target, name, data):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def xlsx(rows):
    def cell(ref, value):
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        text = str(value).replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    sheet_rows = "".join(
        f'<row r="{r + 1}">' + "".join(cell(f"{chr(65 + c)}{r + 1}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows)
    )
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + sheet_rows + "</sheetData></worksheet>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def rows_of(text):
    return [line.split(",") for line in text.strip().split("\n")]


csv_files = {"customers": CUSTOMERS, "orders": ORDERS, "interactions": INTERACTIONS, "surveys": SURVEYS, "complaints": COMPLAINTS}
for kind, (name, text) in enumerate(csv_files.items()):
    write("import_csv", f"{name}.csv", bytes([kind]) + text.encode())
    write("import_csv", f"{name}-gbk.csv", bytes([kind + 5]) + text.encode("gb18030"))
    write("import_workbook", f"{name}.xlsx", bytes([kind]) + xlsx(rows_of(text)))
write("import_workbook", "serials.xlsx", bytes([1]) + xlsx([["订单号", "手机", "下单日期", "金额"], ["B1", 13800138000, 45292.5, 12.5]]))
platforms = os.path.join(ROOT, "tests", "data", "platforms")
for name in sorted(os.listdir(platforms)):
    if name.endswith(".csv"):
        with open(os.path.join(platforms, name), "rb") as f:
            write("import_csv", f"platform-{name}", bytes([1]) + f.read())
for i, text in enumerate(EDGE):
    write("import_csv", f"edge-{i}.csv", bytes([i % 5]) + text.encode())

cells = ["2024-01-05", "05/01/2024", "25/01/2024 10:15:00", "2024年3月1日", "20240301", "45292.5", "31/02/2024",
         "￥1,234.50", "¥99", "$5", "1234.5元", "RMB 12", "１２３.４５", "(300.00)", "1,23,4", "-0.5", "1e5",
         "'13811112222", '="3698521470123"', "\t2024-03-01 10:15:00", "138****2222", "张**", "已完成", "退款成功",
         "微信", "门店", "company", "vip;new，老客户", "客户名称,手机,下单日期,金额", "订单编号\t买家会员名\t实付款"]
write("values", "cells.txt", "\n".join(cells).encode())
write("values", "gbk.txt", "\n".join(cells).encode("gb18030"))
write("values", "utf16.txt", "\ufeff".encode("utf-16-le") + "\n".join(cells).encode("utf-16-le"))

for i, text in enumerate(["张伟", "张", "138001", "0012345", "c0012345", "iphone15 pro", "zhang@example", "\"AND OR NOT*",
                          "a-b:c^d(e)", "NEAR(x y)", "王芳 上海", "ＡＢＣ", "ﬁ İ ß", "𠀀𠀁", "x" * 300]):
    write("search", f"q{i}.txt", text.encode())

QUERY = '"tiers":["a","prospect"],"segments":[],"sort":"%s","descending":%s,"deleted":false,"offset":%d,"limit":%d'
ipc = [
    (0, '{"name":"李娜","kind":"person","company":null,"phone":"13911112222","email":"li@example.com","region":null,"owner":null,"notes":null,"external_id":null,"size_class":null,"industry":null,"source":null,"referred_by":1,"needs":null,"preferences":null,"tags":["a","b"],"channels":["phone_wechat","store"]}'),
    (1, '{"name":"","kind":"company","company":"x","phone":"bad","email":"no","region":null,"owner":null,"notes":null,"external_id":"C001","size_class":"smb","industry":null,"source":null,"referred_by":1,"needs":null,"preferences":null}'),
    (2, '{"search":"张伟","kind":null,"owner":"王芳","tag":"vip",%s}' % (QUERY % ("name", "false", 0, 50))),
    (2, '{"search":"c0012 13800","kind":"company","owner":null,%s}' % (QUERY % ("predicted_clv", "true", 5, 0))),
    (3, '{"customer_id":1,"name":"李四","role":"buyer","phone":"13800138001","email":null,"is_primary":true}'),
    (4, '{"customer_id":1,"opened_at":"2024-01-01T10:00:00","category":"quality","severity":"high","status":"resolved","description":"x","resolution":"fixed","resolved_at":"2024-01-02T09:00:00"}'),
    (5, '{"past_target_only":true,"offset":0,"limit":20}'),
    (6, '{"customer_id":1,"occurred_on":"2024-01-01","kind":"redeem","points":-100,"order_id":null,"notes":"gift","referred_customer_id":2}'),
    (7, '{"no_contact_days":30,"nps_detractor_max":6,"csat_detractor_max":2,"ces_detractor_max":3,"new_detractor_days":7,"response_hours_vip":4,"response_hours_priority":8,"response_hours_standard":24,"response_hours_self_service":72,"loyalty_points_per_yuan":1.5}'),
    (8, '{"search":"a","kind":"person","owner":null,%s}' % (QUERY % ("next_follow_up", "false", 0, 10))),
    (9, '{"customer_id":1,"kind":"call","occurred_at":"2024-01-01T10:00:00","outcome":"done","notes":null,"next_follow_up":"2026-02-01T10:00:00"}'),
    (10, '{"customer_id":1,"due_at":"2026-02-01T10:00:00","note":"ring"}'),
    (11, '{"kind":"orders","mode":"update","mapping":{"phone":"手机"},"day_first":true,"read":{"encoding":"gbk","delimiter":";","sheet":null}}'),
]
for i, (selector, text) in enumerate(ipc):
    write("ipc", f"c{i}.json", bytes([selector]) + text.encode())
