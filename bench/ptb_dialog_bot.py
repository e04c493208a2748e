"""The peer of `sangkien run` in bench/telegram_updates.py: the idiomatic python-telegram-bot bot.

The same six-step registration dialog (title, field, content, effect, benefit, confirm) written the
way python-telegram-bot's own examples write one: a ConversationHandler with one callback per
state, `user_data` for the draft and PicklePersistence (saved every 60 s, PTB's default) for the
conversation state and the registered initiatives. Validation and replies are the same size as
ours (same limits, field list with an inline keyboard, summary, a number like SK-000123).

    ECHO_TOKEN=... ECHO_BASE_URL=http://127.0.0.1:PORT/bot python bench/ptb_dialog_bot.py FILE
"""

from __future__ import annotations

import html
import os
import re
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

TITLE, FIELD, CONTENT, EFFECT, BENEFIT, CONFIRM = range(6)
FIELDS = ["Giáo dục", "Y tế", "Công nghệ", "Kỹ thuật", "Quản lý/hành chính", "Phòng chống dịch",
          "Sản xuất kinh doanh", "Khác"]
_MONEY = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(tỷ|ty|triệu|trieu|tr|nghìn|nghin|k)?\s*$", re.I)
_SCALE = {"tỷ": 10**9, "ty": 10**9, "triệu": 10**6, "trieu": 10**6, "tr": 10**6, "nghìn": 10**3,
          "nghin": 10**3, "k": 10**3}


def keyboard(labels: list[str]) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(f"{n}. {label}", callback_data=str(n))
               for n, label in enumerate(labels, start=1)]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def numbered(labels: list[str]) -> str:
    return "\n".join(f"{n}. {label}" for n, label in enumerate(labels, start=1))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data["draft"] = {}
    await update.message.reply_text("Bước 1/6. Tên sáng kiến của bạn là gì? (từ 5 đến 200 ký tự)")
    return TITLE


async def title(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.message.text.strip()
    if not 5 <= len(text) <= 200:
        await update.message.reply_text("Tên sáng kiến cần từ 5 đến 200 ký tự. Bạn gõ lại nhé.")
        return TITLE
    context.user_data["draft"]["title"] = text
    await update.message.reply_text(
        "Bước 2/6. Sáng kiến thuộc lĩnh vực nào? Gõ số để chọn:\n" + numbered(FIELDS),
        reply_markup=keyboard(FIELDS))
    return FIELD


async def field(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.message.text.strip()
    if not text.isdigit() or not 1 <= int(text) <= len(FIELDS):
        await update.message.reply_text(f"Vui lòng gõ một số từ 1 đến {len(FIELDS)}.")
        return FIELD
    context.user_data["draft"]["field"] = FIELDS[int(text) - 1]
    await update.message.reply_text("Bước 3/6. Nội dung, giải pháp: sáng kiến thay đổi điều gì, "
                                    "làm như thế nào? (từ 20 đến 3.000 ký tự)")
    return CONTENT


async def content(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.message.text.strip()
    if not 20 <= len(text) <= 3000:
        await update.message.reply_text("Nội dung cần từ 20 đến 3.000 ký tự. Bạn gõ lại nhé.")
        return CONTENT
    context.user_data["draft"]["content"] = text
    await update.message.reply_text("Bước 4/6. Hiệu quả mang lại là gì? (từ 10 đến 1.000 ký tự)")
    return EFFECT


async def effect(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.message.text.strip()
    if not 10 <= len(text) <= 1000:
        await update.message.reply_text("Hiệu quả cần từ 10 đến 1.000 ký tự. Bạn gõ lại nhé.")
        return EFFECT
    context.user_data["draft"]["effect"] = text
    await update.message.reply_text("Bước 5/6. Giá trị làm lợi ước tính (đồng)? Ví dụ: 200 triệu, "
                                    "1,5 tỷ. Gõ 0 hoặc \"bỏ qua\" nếu không tính được.")
    return BENEFIT


async def benefit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.message.text.strip().lower()
    draft = context.user_data["draft"]
    if text in ("0", "bỏ qua", "bo qua"):
        draft["benefit"] = None
    else:
        match = _MONEY.match(text)
        if match is None:
            await update.message.reply_text("Mình chưa hiểu số tiền này. Ví dụ: 200 triệu, 1,5 tỷ.")
            return BENEFIT
        number = float(match.group(1).replace(",", "."))
        draft["benefit"] = int(number * _SCALE.get((match.group(2) or "").lower(), 1))
    choices = ["Gửi", "Sửa", "Huỷ"]
    money = f"{draft['benefit']:,}".replace(",", ".") + " đồng" if draft["benefit"] else "không tính"
    summary = (f"Bước 6/6. Vui lòng kiểm tra lại:\n- Tên: {html.escape(draft['title'])}\n"
               f"- Lĩnh vực: {draft['field']}\n- Nội dung: {html.escape(draft['content'])}\n"
               f"- Hiệu quả: {html.escape(draft['effect'])}\n- Giá trị làm lợi: {money}\n"
               + numbered(choices))
    await update.message.reply_text(summary, parse_mode=ParseMode.HTML,
                                    reply_markup=keyboard(choices))
    return CONFIRM


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.message.text.strip()
    if text not in ("1", "2", "3"):
        await update.message.reply_text("Vui lòng gõ 1 để gửi, 2 để sửa, 3 để dừng.")
        return CONFIRM
    if text != "1":
        await update.message.reply_text("Đã dừng. Gõ /sangkien để bắt đầu lại.")
        return ConversationHandler.END
    initiatives = context.bot_data.setdefault("initiatives", [])
    number = f"SK-{len(initiatives) + 1:06d}"
    initiatives.append({**context.user_data.pop("draft"), "number": number,
                        "author": update.effective_user.id})
    mine = sum(1 for i in initiatives if i["author"] == update.effective_user.id)
    await update.message.reply_text(
        f"Đã gửi sáng kiến <b>{number}</b>: {html.escape(initiatives[-1]['title'])}.\n"
        f"Bạn đã gửi {mine} sáng kiến trong giai đoạn này. Cảm ơn bạn!", parse_mode=ParseMode.HTML)
    return ConversationHandler.END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data.pop("draft", None)
    await update.message.reply_text("Đã huỷ.")
    return ConversationHandler.END


def main(path: str) -> None:
    persistence = PicklePersistence(filepath=path)
    app = (Application.builder().token(os.environ["ECHO_TOKEN"])
           .base_url(os.environ["ECHO_BASE_URL"]).persistence(persistence).build())
    answer = filters.TEXT & ~filters.COMMAND
    app.add_handler(ConversationHandler(
        entry_points=[CommandHandler("sangkien", start)],
        states={TITLE: [MessageHandler(answer, title)], FIELD: [MessageHandler(answer, field)],
                CONTENT: [MessageHandler(answer, content)], EFFECT: [MessageHandler(answer, effect)],
                BENEFIT: [MessageHandler(answer, benefit)],
                CONFIRM: [MessageHandler(answer, confirm)]},
        fallbacks=[CommandHandler("huy", cancel)], name="register", persistent=True))
    app.run_polling(timeout=10, allowed_updates=["message"])


if __name__ == "__main__":
    main(sys.argv[1])
